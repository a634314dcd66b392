"""Answer human-in-the-loop requests of a local run, as a person would in Airflow's UI.

Run as a script next to ``dag.test()`` by ``fcomp run --engine airflow-local`` (fcomp never
imports it): it watches the run's metadata database and records answers through Airflow's own
models exactly as the HITL REST endpoint does (response columns, then the task resumed with the
response event). ``--answers`` is JSON: ``{"approve": true|false|null, "signals": {id: text}}``;
signal requests are recognised by their subject ``Signal <id>``.
"""

import argparse
import json
import time
from typing import Any

APPROVE, REJECT, OK = "Approve", "Reject", "OK"
SIGNAL_SUBJECT = "Signal "


def choose(answers: dict[str, Any], options: list[str], subject: str, params: Any) -> Any:
    """The chosen options and entered params for a request, or None to leave it open."""
    if options == [APPROVE, REJECT] and answers.get("approve") is not None:
        return [APPROVE if answers["approve"] else REJECT], {}
    if subject.startswith(SIGNAL_SUBJECT) and options == [OK]:
        value = (answers.get("signals") or {}).get(subject[len(SIGNAL_SUBJECT) :])
        if value is not None:
            return [OK], dict.fromkeys(list(params or {})[:1], value)
    return None


def answer_open(answers: dict[str, Any]) -> int:
    """Answer every open request the answers cover; how many were answered."""
    from airflow.models.hitl import HITLDetail  # noqa: TID251
    from airflow.models.trigger import handle_event_submit  # noqa: TID251
    from airflow.sdk import timezone  # noqa: TID251
    from airflow.triggers.base import TriggerEvent  # noqa: TID251
    from airflow.utils.session import create_session  # noqa: TID251
    from airflow.utils.state import TaskInstanceState  # noqa: TID251
    from sqlalchemy import select

    done = 0
    with create_session() as session:
        for detail in session.scalars(select(HITLDetail).where(HITLDetail.responded_at.is_(None))):
            choice = choose(answers, list(detail.options or []), detail.subject, detail.params)
            if choice is None:
                continue
            ti = detail.task_instance
            if ti is None or ti.state not in (
                TaskInstanceState.AWAITING_INPUT,
                TaskInstanceState.DEFERRED,
            ):
                # The task writes its request before it pauses: answered now, it would never
                # be resumed. The next round answers it.
                continue
            detail.chosen_options, detail.params_input = choice
            detail.responded_by = {"id": "fcomp", "name": "fcomp run"}
            detail.responded_at = timezone.utcnow()
            session.add(detail)
            event = TriggerEvent(detail.as_resume_event_payload())  # type: ignore[no-untyped-call]
            handle_event_submit(event, task_instance=ti, session=session)
            done += 1
    return done


def main() -> None:
    """Answer requests until killed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", required=True, help="JSON answers")
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    answers = json.loads(args.answers)
    while True:
        try:
            answer_open(answers)
        except Exception as error:  # the database may be busy: try again
            print(f"fcomp responder: {type(error).__name__}: {error}", flush=True)
        time.sleep(args.interval)


if __name__ == "__main__":
    main()
