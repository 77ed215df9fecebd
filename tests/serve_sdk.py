"""Drives DRS jobs through their whole lives with the official, unmodified Python SDK
(huaweicloudsdkdrs 3.1.219) against `drs-lifecycle serve --clock manual`.

Usage: python serve_sdk.py http://127.0.0.1:PORT AK SK

The emulator's clock is moved through its own control API (/_emulator/v1, not DRS); every
DRS call goes through the SDK, signed with AK/SK. Exits 0 when every check holds, 1 with the
failed check otherwise. tests/serve.rs runs it (cargo test).
"""

import json
import sys
import urllib.request

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdrs.v3 import DrsClient as DrsClientV3
from huaweicloudsdkdrs.v3 import model as v3
from huaweicloudsdkdrs.v5 import DrsClient
from huaweicloudsdkdrs.v5 import model as v5

BASE, AK, SK = sys.argv[1], sys.argv[2], sys.argv[3]
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
BILLED = "f9e8d7c6b5a4938271605f4e3d2c1b0a"
CHECKS = 0


def client(project, version=DrsClient):
    return (
        version.new_builder()
        .with_credentials(BasicCredentials(AK, SK, project))
        .with_endpoints([BASE])
        .build()
    )


drs = client(PROJECT)
drs3 = client(PROJECT, DrsClientV3)
billed = client(BILLED)


def check(condition, what):
    global CHECKS
    CHECKS += 1
    if not condition:
        print("FAILED: " + what, flush=True)
        sys.exit(1)


def control(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        BASE + "/_emulator/v1" + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())


def advance(seconds):
    return control("POST", "/clock/advance", {"seconds": seconds})


def status(job_id, client=drs):
    request = v5.ShowJobDetailRequest(job_id=job_id, type="job")
    return client.show_job_detail(request).job.status


def wait_for(job_id, wanted, client=drs, steps=400, seen=None):
    """Polls after every due timer of the service, as a poller would (short statuses are
    seen only because the manual clock stops at each step)."""
    for _ in range(steps):
        shown = status(job_id, client)
        if seen is not None and (not seen or seen[-1] != shown):
            seen.append(shown)
        if shown in wanted:
            return shown
        before = control("GET", "/clock")["now_ms"]
        after = control("POST", "/clock/advance", {"next": True})["now_ms"]
        if after == before:
            advance(1)
    check(False, "job %s never showed %s (last: %s)" % (job_id, wanted, status(job_id, client)))


def create(name, task_type="FULL_INCR_TRANS", client=drs, start_time=None):
    base = v5.JobBaseInfo(
        name=name,
        job_type="migration",
        engine_type="mysql",
        job_direction="up",
        task_type=task_type,
        net_type="eip",
        charging_mode="on_demand",
        description="made by tests/serve_sdk.py",
        start_time=start_time,
    )
    endpoint = v5.JobEndpointInfo(db_type="mysql", endpoint_type="offline", endpoint_role="so")
    body = v5.SingleCreateJobReq(
        job=v5.CreateJobReq(base_info=base, source_endpoint=[endpoint], target_endpoint=[endpoint])
    )
    answer = client.create_job(v5.CreateJobRequest(body=body))
    check(answer.id and answer.status == "CREATING", "create_job answers the id, CREATING")
    return answer.id


def act(job_id, action, client=drs, **params):
    body = v5.JobActionReq(
        job=v5.ActionReq(action_name=action, action_params=v5.ActionParams(**params) if params else None)
    )
    return client.execute_job_action(v5.ExecuteJobActionRequest(job_id=job_id, body=body))


def stop_call(job_id, force=False, client=drs):
    body = v5.StopJobActionReq(is_force_stop=force)
    return client.stop_job_action(v5.StopJobActionRequest(job_id=job_id, body=body))


def refused(call, code, what):
    try:
        call()
    except ClientRequestException as error:
        check(error.error_code == code, "%s: error_code %s, got %s (%s)" % (what, code, error.error_code, error.error_msg))
        check(error.status_code in (400, 403, 404, 409), "%s: an HTTP 4xx, got %s" % (what, error.status_code))
        return error
    check(False, "%s: refused with %s, but it was accepted" % (what, code))


def actions(job_id):
    return drs.show_actions(v5.ShowActionsRequest(job_id=job_id)).job_action


def listed(client=drs, **kw):
    return client.list_jobs(v5.ListJobsRequest(job_type="migration", **kw))


# 1. A job's whole life: create, configuration, start, full, full complete, incremental,
#    pause (stop), resume (restart), end (terminate), delete.
life = create("orders")
wait_for(life, {"CONFIGURATION"})
check("START" in actions(life).available_actions, "a configured job offers START")
act(life, "start")
seen = []
wait_for(life, {"INCRE_TRANSFER_STARTED"}, seen=seen)
for code in ("STARTJOBING", "FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE"):
    check(code in seen, "the start went through %s (seen: %s)" % (code, seen))
page = listed()
entry = [job for job in page.jobs if job.id == life]
check(page.total_count >= 1 and entry, "list_jobs lists the job, with total_count")
check("PAUSE" in entry[0].job_action.available_actions, "an incremental job offers PAUSE")
check(entry[0].task_type == "FULL_INCR_TRANS", "list_jobs answers the mode as task_type")
act(life, "stop")
wait_for(life, {"PAUSING"})
check("RETRY" in actions(life).available_actions, "a paused job offers RETRY (restart: resume)")
act(life, "restart")
wait_for(life, {"INCRE_TRANSFER_STARTED"})
refused(lambda: drs.delete_job(v5.DeleteJobRequest(job_id=life)), "DRS.LC0001", "delete of a migrating job")
act(life, "precheck")  # outside the lifecycle: answered and ignored
check(status(life) == "INCRE_TRANSFER_STARTED", "an action outside the lifecycle changes nothing")
act(life, "terminate")
wait_for(life, {"RELEASE_RESOURCE_COMPLETE"})
drs.delete_job(v5.DeleteJobRequest(job_id=life))
try:
    check(status(life) == "DELETED", "a deleted job answers DELETED")
except ClientRequestException as error:
    check(error.error_code == "DRS.10000010", "a deleted job answers DELETED or does-not-exist")
check(life not in [job.id for job in listed(limit=100).jobs], "list_jobs leaves a deleted job out")
names = [entry.name for entry in drs.show_timeline(v5.ShowTimelineRequest(job_id=life)).timelines]
for name in ("create", "start", "stop", "restart", "terminate", "delete"):
    check(name in names, "the timeline lists %s (%s)" % (name, names))

# 2. A force end while starting, and a scheduled start.
forced = create("forced", task_type="FULL_TRANS")
wait_for(forced, {"CONFIGURATION"})
now_ms = control("GET", "/clock")["now_ms"]
act(forced, "start", start_time=str(now_ms + 3600 * 1000))
wait_for(forced, {"WAITING_FOR_START"})
wait_for(forced, {"STARTJOBING"})
stop_call(forced, force=True)
wait_for(forced, {"RELEASE_RESOURCE_COMPLETE"})
refused(lambda: act(forced, "start"), "DRS.LC0001", "start of an ended job")

# 3. A failure path: a start error, restart as retry; a full error, reset.
failing = create("failing", task_type="FULL_TRANS")
wait_for(failing, {"CONFIGURATION"})
act(failing, "start")
wait_for(failing, {"STARTJOBING"})
control("POST", "/projects/%s/jobs/%s/events" % (PROJECT, failing), {"event": "start_error"})
check(status(failing) == "START_JOB_FAILED", "an injected start error shows START_JOB_FAILED")
check("RETRY" in actions(failing).available_actions, "a failed start offers RETRY")
act(failing, "restart")
wait_for(failing, {"FULL_TRANSFER_STARTED"})
control("POST", "/projects/%s/jobs/%s/events" % (PROJECT, failing), {"event": "full_error"})
check(status(failing) == "FULL_TRANSFER_FAILED", "an injected full error shows FULL_TRANSFER_FAILED")
act(failing, "reset")
wait_for(failing, {"FULL_TRANSFER_STARTED"})
control("POST", "/projects/%s/jobs/%s/events" % (PROJECT, failing), {"event": "instance_fault"})
check(status(failing) == "REBUILD_NODE_STARTED", "an instance fault shows REBUILD_NODE_STARTED")
control("POST", "/projects/%s/jobs/%s/events" % (PROJECT, failing), {"event": "recovery_error"})
check(status(failing) == "REBUILD_NODE_FAILED", "a failed recovery shows REBUILD_NODE_FAILED")
act(failing, "terminate", force_delete=True)
wait_for(failing, {"RELEASE_RESOURCE_COMPLETE"})

# 4. Arrears freeze the project's jobs; recharge unfreezes them.
frozen = create("billed", client=billed)
wait_for(frozen, {"CONFIGURATION"}, client=billed)
act(frozen, "start", client=billed)
wait_for(frozen, {"FULL_TRANSFER_STARTED"}, client=billed)
control("POST", "/projects/%s/arrears" % BILLED)
check(status(frozen, billed) == "FULL_TRANSFER_STARTED", "a frozen job shows the status it froze")
frozen_actions = billed.show_actions(v5.ShowActionsRequest(job_id=frozen)).job_action
check(frozen_actions.available_actions == [], "a frozen job offers nothing")
error = refused(lambda: act(frozen, "stop", client=billed), "DRS.LC0001", "pause of a frozen job")
check("arrears" in error.error_msg, "the refusal says the project is in arrears")
refused(lambda: create("too-late", client=billed), "DRS.LC0002", "creation in arrears")
control("POST", "/projects/%s/recharge" % BILLED)
act(frozen, "stop", client=billed)
wait_for(frozen, {"PAUSING"}, client=billed)
stop_call(frozen, client=billed)
wait_for(frozen, {"RELEASE_RESOURCE_COMPLETE"}, client=billed)

# 5. The batch calls answer per job.
batch = [create("batch-%d" % i, task_type="INCR_TRANS") for i in range(3)]
for job in batch:
    wait_for(job, {"CONFIGURATION"})
missing = "00000000-0000-0000-0000-000000000000jb01"
answer = drs.batch_execute_job_actions(
    v5.BatchExecuteJobActionsRequest(
        body=v5.BatchJobActionReq(jobs=[v5.ActionReq(job_id=j, action_name="start") for j in batch + [missing]])
    )
)
check(len(answer.jobs) == 4, "batch_execute_job_actions answers each job")
for job in batch:
    wait_for(job, {"INCRE_TRANSFER_STARTED"})
answer = drs.batch_stop_jobs_action(
    v5.BatchStopJobsActionRequest(
        body=v5.BatchStopJobActionReq(jobs=[v5.StopJobActionInfo(job_id=j, is_force_stop=False) for j in batch])
    )
)
check([a.status for a in answer.jobs] == ["success"] * 3, "batch_stop_jobs_action ends each job")
for job in batch:
    wait_for(job, {"RELEASE_RESOURCE_COMPLETE"})
answer = drs.batch_delete_jobs_by_id(v5.BatchDeleteJobsByIdRequest(body=v5.BatchDeleteJobReq(jobs=batch + [missing])))
check([a.status for a in answer.jobs] == ["success"] * 3 + ["failed"], "batch_delete_jobs_by_id answers each job")
check(answer.jobs[3].error_code == "DRS.10000010", "an unknown job in a batch: DRS.10000010")
statuses = drs3.batch_list_job_status(
    v3.BatchListJobStatusRequest(body=v3.BatchQueryJobReqPage(jobs=batch + [missing]))
)
check(statuses.count == 4, "v3 batch-status counts the jobs asked about")
shown = {r.id: (r.status, r.error_code) for r in statuses.results}
check(all(shown[j][0] == "DELETED" for j in batch), "v3 batch-status shows DELETED jobs")
check(shown[missing] == (None, "DRS.10000010"), "v3 batch-status: an unknown job does not exist")
v3_list = drs3.show_job_list(v3.ShowJobListRequest(body=v3.QueryJobsReq(cur_page=1, per_page=10)))
check(v3_list.total_record == len(listed(limit=100).jobs), "the v3 list counts what the v5 list lists")

# The v3 batch pause and batch delete (delete_type force_terminate, then delete).
more = [create("v3-%d" % i) for i in range(2)]
for job in more:
    wait_for(job, {"CONFIGURATION"})
    act(job, "start")
for job in more:
    wait_for(job, {"FULL_TRANSFER_STARTED"})
paused = drs3.batch_stop_jobs(
    v3.BatchStopJobsRequest(body=v3.BatchPauseJobReq(jobs=[v3.PauseInfo(job_id=j, pause_mode="target") for j in more]))
)
check(paused.count == 2 and all(r.status == "success" for r in paused.results), "v3 batch-pause-task pauses each job")
for job in more:
    wait_for(job, {"PAUSING"})


def v3_delete(delete_type):
    jobs = [v3.DeleteJobReq(delete_type=delete_type, job_id=j) for j in more]
    return drs3.batch_delete_jobs(v3.BatchDeleteJobsRequest(body=v3.BatchDeleteJobReq(jobs=jobs)))


refused_delete = v3_delete("delete")
check([r.error_code for r in refused_delete.results] == ["DRS.LC0001"] * 2, "v3 delete of paused jobs is refused per job")
check(all(r.status == "success" for r in v3_delete("force_terminate").results), "v3 force_terminate ends each job")
for job in more:
    wait_for(job, {"RELEASE_RESOURCE_COMPLETE"})
check(all(r.status == "success" for r in v3_delete("delete").results), "v3 delete deletes each ended job")

# 6. Refusals in the API's error shape.
refused(lambda: status(missing), "DRS.10000010", "an unknown job")
refused(lambda: act(forced, "fly"), "DRS.LC0400", "an unknown action name")
pages = [listed(offset=o, limit=1).jobs[0].id for o in range(2)]
check(len(set(pages)) == 2, "list_jobs pages with offset and limit")

print("serve_sdk.py: %d checks passed" % CHECKS, flush=True)
