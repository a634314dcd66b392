"""Fixed source the generated DAG modules carry (never imported by fcomp)."""
