"""A Terraform-style waiter on the official SDK, run against `drs-lifecycle serve`.

The Terraform provider for DRS creates a job and then waits, polling the v3 batch-status call
every ~10 s, for a target status; it keeps waiting through the statuses it calls pending and
aborts on any other. This script does the same (resource.StateChangeConf in Go), so its
behaviour on the service's rare paths can be tried locally:

    drs-lifecycle serve --clock manual --port 8080 &
    target/sdk-venv/bin/python examples/serve/terraform_waiter.py http://127.0.0.1:8080 --manual

With `--manual` the emulated clock is advanced 10 s per poll through the emulator's control
API; otherwise the script sleeps 10 s / --speed of wall time (run serve with the same
--speed). Inject a fault meanwhile (`curl -X POST .../_emulator/v1/projects/P/jobs/J/events
-d '{"event":"start_error"}'`) and the waiter stops on the unexpected status, as the provider
would. Exit status: 0 the job reached incremental migration, 1 an unexpected status or a
timeout.
"""

import argparse
import json
import sys
import time
import urllib.request

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkdrs.v3 import DrsClient as DrsClientV3
from huaweicloudsdkdrs.v3 import model as v3
from huaweicloudsdkdrs.v5 import DrsClient
from huaweicloudsdkdrs.v5 import model as v5

parser = argparse.ArgumentParser()
parser.add_argument("endpoint")
parser.add_argument("--ak", default="AK")
parser.add_argument("--sk", default="SK")
parser.add_argument("--project", default="0123456789abcdef0123456789abcdef")
parser.add_argument("--manual", action="store_true", help="advance the emulator's manual clock")
parser.add_argument("--speed", type=float, default=1.0, help="serve's --speed (wall clock)")
parser.add_argument("--timeout", type=float, default=3 * 86400, help="emulated seconds per wait")
args = parser.parse_args()

credentials = BasicCredentials(args.ak, args.sk, args.project)
drs = DrsClient.new_builder().with_credentials(credentials).with_endpoints([args.endpoint]).build()
drs3 = DrsClientV3.new_builder().with_credentials(credentials).with_endpoints([args.endpoint]).build()
POLL = 10.0


def tick():
    if args.manual:
        body = json.dumps({"seconds": POLL}).encode()
        request = urllib.request.Request(
            args.endpoint + "/_emulator/v1/clock/advance", data=body, method="POST",
            headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request).read()
    else:
        time.sleep(POLL / args.speed)


def wait(job_id, pending, target):
    """StateChangeConf: poll until a target status; any status outside pending aborts."""
    waited = 0.0
    while waited <= args.timeout:
        answer = drs3.batch_list_job_status(
            v3.BatchListJobStatusRequest(body=v3.BatchQueryJobReqPage(jobs=[job_id])))
        status = answer.results[0].status
        print("%7.0f s  %s" % (waited, status), flush=True)
        if status in target:
            return status
        if status not in pending:
            sys.exit("unexpected state '%s', wanted target %s" % (status, sorted(target)))
        tick()
        waited += POLL
    sys.exit("timeout while waiting for %s" % sorted(target))


base = v5.JobBaseInfo(name="waiter", job_type="migration", engine_type="mysql",
                      job_direction="up", task_type="FULL_INCR_TRANS", net_type="eip")
job = drs.create_job(v5.CreateJobRequest(body=v5.SingleCreateJobReq(
    job=v5.CreateJobReq(base_info=base, source_endpoint=[], target_endpoint=[])))).id
print("created", job)
wait(job, {"CREATING"}, {"CONFIGURATION"})
drs.execute_job_action(v5.ExecuteJobActionRequest(
    job_id=job, body=v5.JobActionReq(job=v5.ActionReq(action_name="start"))))
wait(job, {"CONFIGURATION", "STARTJOBING", "FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE"},
     {"INCRE_TRANSFER_STARTED"})
print("job %s is migrating incrementally" % job)
