"""fcomp's benchmark: synthetic workflows of N nodes, timed builds, the hera peer and the floor."""
