#!/usr/bin/env python3
"""The Python example (examples/python/control_plane.py) with the misbehaviour `drive`'s unit
tests need, standard library only:

  --unknown-every N  answer every Nth execute "unknown", alternately after doing it and
                     without doing it (as `serve-plane --unknown-every` does)
  --under-report     protocol 2: answer billing as if it changed no task
  --log FILE         append every request to FILE, as received
  --say-at N:LINE    answer request N (counted from 1 over the process) with LINE, where
                     "{id}" stands for the request's id and "{next}" for the one after it
  --say-nth OP:N:LINE  answer the Nth request of op OP (counted from 1 over the process) with
                     LINE, as --say-at does
  --silent-from N    answer nothing from request N on (the program hangs)
  --stderr TEXT      write TEXT on standard error at start
  --exit-at N        at request N, write "giving up at N" on stderr and exit with status 3
  --hold N           answer the first request, then nothing until N more have been read (then
                     all of them): a program that waits for what a driver promises to send
                     ahead

Every other option is the example's.
"""

import argparse
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = importlib.util.spec_from_file_location(
    "control_plane", os.path.join(HERE, "..", "..", "examples", "python", "control_plane.py"))
EXAMPLE = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(EXAMPLE)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bug")
    parser.add_argument("--deleted-as-not-found", action="store_true")
    parser.add_argument("--slow-seconds", type=float, default=2.0)
    parser.add_argument("--protocol", type=int, default=2)
    parser.add_argument("--unknown-every", type=int, default=0)
    parser.add_argument("--under-report", action="store_true")
    parser.add_argument("--log")
    parser.add_argument("--say-at", action="append", default=[])
    parser.add_argument("--say-nth", action="append", default=[])
    parser.add_argument("--silent-from", type=int, default=0)
    parser.add_argument("--stderr")
    parser.add_argument("--exit-at", type=int, default=0)
    parser.add_argument("--hold", type=int, default=0)
    args = parser.parse_args()
    if args.stderr:
        sys.stderr.write(args.stderr + "\n")
        sys.stderr.flush()
    plane = EXAMPLE.Plane(args.bug, args.protocol, args.deleted_as_not_found, args.slow_seconds)
    say = {}
    for spec in args.say_at:
        at, line = spec.split(":", 1)
        say[int(at)] = line
    say_nth = {}
    for spec in args.say_nth:
        op, at, line = spec.split(":", 2)
        say_nth[(op, int(at))] = line
    ops = {}
    log = open(args.log, "a") if args.log else None
    requests = 0
    executes = 0
    pending = b""
    held = []
    while True:
        chunk = os.read(0, 1 << 16)
        if not chunk:
            break
        *lines, pending = (pending + chunk).split(b"\n")
        answers = []
        for line in lines:
            if not line.strip():
                continue
            requests += 1
            if log:
                log.write(line.decode() + "\n")
                log.flush()
            if args.exit_at and requests >= args.exit_at:
                sys.stderr.write(f"giving up at {requests}\n")
                sys.stderr.flush()
                sys.exit(3)
            if args.silent_from and requests >= args.silent_from:
                continue
            request = json.loads(line)
            ops[request["op"]] = ops.get(request["op"], 0) + 1
            line = say.get(requests, say_nth.get((request["op"], ops[request["op"]])))
            if line is not None:
                answers.append(line.replace("{id}", str(request["id"]))
                               .replace("{next}", str(request["id"] + 1)))
                continue
            answer = None
            if request["op"] == "execute":
                executes += 1
                every = args.unknown_every
                indefinite = every > 0 and executes % every == 0
                if indefinite and (executes // every) % 2 == 0:
                    answer = {"answer": "unknown"}
                else:
                    answer = plane.answer(request)
                    if indefinite:
                        answer = {"answer": "unknown"}
                    elif args.under_report and "Account" in answer.get("outcome", {}) \
                            and "changed" in answer:
                        answer["changed"] = []
            if answer is None:
                answer = plane.answer(request)
            answer["id"] = request["id"]
            answers.append(json.dumps(answer))
        if 1 < requests < 1 + args.hold:
            held.extend(answers)
            continue
        answers, held = held + answers, []
        if answers:
            answers.append("")
            out = "\n".join(answers).encode()
            while out:
                out = out[os.write(1, out):]


if __name__ == "__main__":
    main()
