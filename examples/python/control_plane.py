#!/usr/bin/env python3
"""A DRS migration-task control plane in Python, spoken to by `drs-lifecycle drive`.

Standard library only. It keeps its tasks in a dict and implements version 2 of the
lifecycle (docs/lifecycle.md) the way a small service would, answering the JSON-lines
protocol of docs/drive-protocol.md on stdin/stdout. It speaks protocol 2 when the driver offers
it (an accepted command's answer lists the tasks it changed, so the driver need not read the
whole fleet after every command; `--protocol 1` answers as a version-1 program would). It
answers every request that has arrived before it writes, in one write: a driver that sends
many requests ahead pays one system call, not one per answer. `--bug NAME` plants a
realistic bug so that `drive` has something to catch:

  delete-while-paused      delete is accepted on a paused task ("it is idle anyway")
  late-report-undoes-pause a late "recovery done" moves a paused task back to migrating
  reuse-deleted-id         a new task gets the id of a deleted one
  deleted-comes-back       a late "release done" report brings a deleted task back as Ended
  frozen-keeps-running     pause is accepted on a frozen task
  ready-counts-twice       "instance ready" bumps the version twice (the report handler and the save)
  arrears-freezes-everyone arrears freezes the tasks of every account, not only its own; only two
                           tasks of two accounts show it (`drive --cover-fleet`)
  full-only-goes-incremental   a full-only task's FullMigrationComplete moves on to incremental
  full-only-complete-pauses    pause is accepted in FullMigrationComplete for a full-only task
  full-only-complete-faults    an instance fault is accepted there for a full-only task
  full-incr-finishes       "migration finished" is accepted for a full+incremental task there

  crashes-on-paused-force-end  the program dies (an uncaught exception) on force end of a paused task
  slow-on-paused-force-end     it answers force end of a paused task only after --slow-seconds (2)

The four FullMigrationComplete bugs are mode-specific rules, which random cases rarely reach
with the right command: `drs-lifecycle drive --cover` sends every command in every state and
catches each of them.

`--deleted-as-not-found` answers a deleted task the other way the API does (brief D.3.5):
it is left out of `tasks`, a query answers null, the answer that deletes it lists no
changed task, and every command to it is refused NotFound. It is not a bug: `drive` accepts
both forms, and still catches the bugs above with it (a deleted id reused, a deleted task
that comes back).
"""

import argparse
import json
import os
import sys
import time

FREEZABLE = {"Configuration", "WaitingToStart", "StartFailed", "FullMigration",
             "FullMigrationFailed", "IncrementalMigration", "IncrementalMigrationFailed",
             "FaultRecoveryFailed", "Paused", "EndFailed"}
FORCE_ENDABLE = FREEZABLE | {"Starting", "FullMigrationComplete", "FaultRecovery"}
ABNORMAL = {"StartFailed", "FullMigrationFailed", "IncrementalMigrationFailed", "FaultRecoveryFailed"}
RUNNING = {"Full": "FullMigration", "Incremental": "IncrementalMigration"}
FAILED = {"Full": "FullMigrationFailed", "Incremental": "IncrementalMigrationFailed"}
PHASE_OF = {v: k for k, v in RUNNING.items()} | {v: k for k, v in FAILED.items()}


class Refused(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


class Plane:
    def __init__(self, bug, speaks=2, deleted_as_not_found=False, slow_seconds=2.0):
        self.bug = bug
        self.speaks = speaks
        self.deleted_as_not_found = deleted_as_not_found
        self.slow_seconds = slow_seconds
        self.protocol = 1
        self.reset()

    def reset(self):
        self.tasks = {}  # id -> dict
        self.arrears = set()

    def first_phase(self, task):
        return "Incremental" if task["mode"] == "INCR_TRANS" else "Full"

    def land(self, task, status, phase=None):
        """Where a task goes; billing freezes it at once if it lands freezable in arrears."""
        task["phase"] = phase
        task["frozen_from"] = None
        if status in FREEZABLE and task["account"] in self.arrears:
            task["frozen_from"] = status
            status = "Frozen"
        task["status"] = status

    def react(self, task, event):
        """The landing (status, phase) of an event, or None when not allowed."""
        s, mode, phase = task["status"], task["mode"], task["phase"]
        full_incr = mode == "FULL_INCR_TRANS"
        if s == "Frozen":
            if event == "RetentionExpired":
                return ("EndRequested", None)
            if self.bug == "frozen-keeps-running" and event == "Pause" and task["frozen_from"] in PHASE_OF:
                return ("Paused", PHASE_OF[task["frozen_from"]])
            return None
        if self.bug == "crashes-on-paused-force-end" and s == "Paused" and event == "ForceEnd":
            raise RuntimeError(f"task {task['id']}: a paused task has no worker to stop")
        if self.bug == "slow-on-paused-force-end" and s == "Paused" and event == "ForceEnd":
            time.sleep(self.slow_seconds)
        if self.bug == "deleted-comes-back" and s == "Deleted" and event == "ReleaseDone":
            return ("Ended", None)
        table = {
            ("Creating", "InstanceReady"): ("Configuration", None),
            ("Creating", "InstanceCreationFailed"): ("CreateFailed", None),
            ("CreateFailed", "Delete"): ("Deleted", None),
            ("Ended", "Delete"): ("Deleted", None),
            ("Configuration", "StartNow"): ("Starting", self.first_phase(task)),
            ("Configuration", "ScheduleStart"): ("WaitingToStart", None),
            ("WaitingToStart", "StartNow"): ("Starting", self.first_phase(task)),
            ("WaitingToStart", "StartTimeReached"): ("Starting", self.first_phase(task)),
            ("Starting", "StartSucceeded"): (RUNNING.get(phase or ""), None),
            ("Starting", "StartError"): ("StartFailed", phase),
            ("StartFailed", "Retry"): ("Starting", phase),
            ("FullMigration", "FullDone"): ("FullMigrationComplete", None),
            ("FullMigration", "FullError"): ("FullMigrationFailed", None),
            ("IncrementalMigration", "IncrementalError"): ("IncrementalMigrationFailed", None),
            ("FullMigrationFailed", "Retry"): ("Starting", "Full"),
            ("IncrementalMigrationFailed", "Retry"): ("Starting", "Incremental"),
            ("FaultRecovery", "RecoveryDone"): (RUNNING.get(phase or ""), None),
            ("FaultRecovery", "RecoveryError"): ("FaultRecoveryFailed", phase),
            ("FaultRecoveryFailed", "Retry"): ("Starting", phase),
            ("Paused", "Resume"): ("Starting", phase),
            ("EndRequested", "ReleaseBegun"): ("Ending", None),
            ("Ending", "ReleaseDone"): ("Ended", None),
            ("Ending", "ReleaseError"): ("EndFailed", None),
        }
        if (s, event) in table:
            return table[(s, event)]
        if s in RUNNING.values() and event in ("InstanceFault", "Pause"):
            return ("FaultRecovery" if event == "InstanceFault" else "Paused", PHASE_OF[s])
        if s == "FullMigrationComplete":
            bug = self.bug
            if event == "IncrementalBegun" and (full_incr or bug == "full-only-goes-incremental"):
                return ("IncrementalMigration", None)
            if event == "MigrationFinished" and (mode == "FULL_TRANS" or bug == "full-incr-finishes"):
                return ("EndRequested", None)
            if event == "Pause" and bug == "full-only-complete-pauses":
                full_incr = True
            if event == "InstanceFault" and bug == "full-only-complete-faults":
                full_incr = True
            if event in ("Pause", "InstanceFault") and full_incr:
                return ("Paused" if event == "Pause" else "FaultRecovery", "Incremental")
        if event == "Reset" and s in ("FullMigrationFailed", "IncrementalMigrationFailed", "FaultRecoveryFailed", "Paused"):
            return ("Starting", self.first_phase(task))
        if event == "End" and s in FREEZABLE:
            return ("EndRequested", None)
        if event == "ForceEnd" and s in FORCE_ENDABLE:
            return ("EndRequested", None)
        if event == "AbnormalTimeout" and s in ABNORMAL:
            return ("EndRequested", None)
        if self.bug == "delete-while-paused" and s == "Paused" and event == "Delete":
            return ("Deleted", None)
        if self.bug == "late-report-undoes-pause" and s == "Paused" and event == "RecoveryDone":
            return (RUNNING[phase], None)
        return None

    def execute(self, command):
        kind = command["command"]
        account = command["account"]
        if kind == "create":
            if account in self.arrears:
                raise Refused("AccountInArrears", f"account {account} is in arrears")
            new_id = len(self.tasks) + 1
            if self.bug == "reuse-deleted-id":
                gone = [i for i, t in self.tasks.items() if t["status"] == "Deleted"]
                if gone:
                    new_id = gone[0]
            task = {"id": new_id, "account": account, "mode": command["mode"],
                    "status": "Creating", "phase": None, "frozen_from": None,
                    "holds_instance": False, "version": 1}
            self.tasks[new_id] = task
            return {"Task": {"task": new_id, "from": "Creating", "to": "Creating",
                             "instance": "Unchanged", "version": 1}}, [task]
        if kind in ("arrears", "recharge"):
            going = kind == "arrears"
            if going == (account in self.arrears):
                raise Refused("AlreadyInArrears" if going else "NotInArrears", f"account {account}")
            (self.arrears.add if going else self.arrears.discard)(account)
            changed = []
            for task in self.tasks.values():
                if task["account"] != account and not (going and self.bug == "arrears-freezes-everyone"):
                    continue
                if going and task["status"] in FREEZABLE:
                    task["frozen_from"], task["status"] = task["status"], "Frozen"
                elif not going and task["status"] == "Frozen":
                    task["status"], task["frozen_from"] = task["frozen_from"], None
                else:
                    continue
                task["version"] += 1
                changed.append(task)
            return ({"Account": {"account": account, "in_arrears": going, "tasks_changed": len(changed)}},
                    sorted(changed, key=lambda t: t["id"]))
        task = self.tasks.get(command["task"])
        if task is None or task["account"] != account:
            raise Refused("NotFound", f"account {account} has no task {command['task']}")
        event = command["event"]
        # Billing is addressed to accounts, and creation (`{"Create": mode}`) to the fleet.
        addressed = isinstance(event, str) and event not in ("AccountInArrears", "AccountRecharged")
        landing = self.react(task, event) if addressed else None
        if landing is None or landing[0] is None:
            if self.deleted_as_not_found and task["status"] == "Deleted":
                raise Refused("NotFound", f"task {task['id']} does not exist")
            raise Refused("NotAllowed", f"task {task['id']} is {task['status']}: {event!r} is not allowed")
        before = task["status"]
        self.land(task, *landing)
        instance = "Unchanged"
        if event == "InstanceReady":
            task["holds_instance"], instance = True, "Acquired"
        elif event == "ReleaseDone":
            task["holds_instance"], instance = False, "Released"
        task["version"] += 2 if self.bug == "ready-counts-twice" and event == "InstanceReady" else 1
        changed = [] if self.hidden(task) else [task]
        return {"Task": {"task": task["id"], "from": before, "to": task["status"],
                         "instance": instance, "version": task["version"]}}, changed

    def hidden(self, task):
        """Whether a task is answered as not found: deleted, with --deleted-as-not-found."""
        return self.deleted_as_not_found and task["status"] == "Deleted"

    def answer(self, request):
        op = request["op"]
        if op == "reset":
            self.reset()
            self.protocol = min(request.get("protocol", 1), self.speaks)
            if self.protocol >= 2:
                return {"answer": "ok", "protocol": self.protocol}
            return {"answer": "ok"}
        if op == "execute":
            try:
                outcome, changed = self.execute(request["command"])
            except Refused as refusal:
                return {"answer": "refused", "kind": refusal.kind, "message": str(refusal)}
            if self.protocol >= 2:
                return {"answer": "accepted", "outcome": outcome, "changed": changed}
            return {"answer": "accepted", "outcome": outcome}
        if op == "tasks":
            return {"answer": "tasks", "tasks": [self.tasks[i] for i in sorted(self.tasks)
                                                 if not self.hidden(self.tasks[i])],
                    "arrears": sorted(self.arrears)}
        if op == "list":
            return {"answer": "list", "tasks": [i for i in sorted(self.tasks)
                                                if self.tasks[i]["account"] == request["account"]
                                                and self.tasks[i]["status"] != "Deleted"]}
        if op == "lists":
            accounts = request["accounts"]
            lists = {account: [] for account in accounts}
            for i in sorted(self.tasks):
                task = self.tasks[i]
                if task["account"] in lists and task["status"] != "Deleted":
                    lists[task["account"]].append(i)
            return {"answer": "lists", "lists": [lists[account] for account in accounts]}
        if op == "query":
            task = self.tasks.get(request["task"])
            if task is not None and (task["account"] != request["account"] or self.hidden(task)):
                task = None
            return {"answer": "task", "task": task}
        return {"answer": "error", "message": f"unknown op {op!r}"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bug", choices=["delete-while-paused", "late-report-undoes-pause",
                                          "reuse-deleted-id", "frozen-keeps-running",
                                          "full-only-goes-incremental", "full-only-complete-pauses",
                                          "full-only-complete-faults", "full-incr-finishes",
                                          "crashes-on-paused-force-end", "slow-on-paused-force-end",
                                          "deleted-comes-back", "ready-counts-twice",
                                          "arrears-freezes-everyone"])
    parser.add_argument("--deleted-as-not-found", action="store_true",
                        help="answer a deleted task as not found (brief D.3.5), not as Deleted")
    parser.add_argument("--slow-seconds", type=float, default=2.0,
                        help="how long slow-on-paused-force-end takes (default 2)")
    parser.add_argument("--protocol", type=int, choices=[1, 2], default=2,
                        help="the highest protocol version to speak (default 2)")
    args = parser.parse_args()
    plane = Plane(args.bug, args.protocol, args.deleted_as_not_found, args.slow_seconds)
    loads, dumps = json.loads, json.dumps
    pending = b""
    while True:
        chunk = os.read(0, 1 << 16)
        if not chunk:
            break
        *lines, pending = (pending + chunk).split(b"\n")
        answers = []
        for line in lines:
            if not line.strip():
                continue
            request = loads(line)
            answer = plane.answer(request)
            answer["id"] = request["id"]
            answers.append(dumps(answer))
        if answers:
            answers.append("")
            out = "\n".join(answers).encode()
            while out:
                out = out[os.write(1, out):]


if __name__ == "__main__":
    main()
