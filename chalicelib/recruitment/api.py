"""Routes of the recruitment module (HTTP only; the work is in its service modules)."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import SIGNED_IN, Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)
applications = lazy_module(".applications", __package__)

bp = Blueprint(__name__)
TAGS = ("recruitment",)
HIRE = "recruitment.hire"


# --- employers ---

@endpoint(bp, "/recruitment/employers", "POST", permission=SIGNED_IN, name="apply_employer", tags=TAGS,
          body=".schemas:EmployerIn", response=".schemas:EmployerOut", status=201, idempotent=True,
          summary="Apply for an employer account (统一社会信用代码 checked, once per county: 409 licence_taken): "
                  "pending until the county verifies it")
def apply_employer(call: Call):
    return service.apply_employer(call.ctx, call.body)


@endpoint(bp, "/recruitment/employers/mine", "GET", permission=SIGNED_IN, name="my_employer", tags=TAGS,
          response=".schemas:EmployerMine", summary="My employer account's state (null: never applied)")
def my_employer(call: Call):
    return service.my_employer(call.ctx)


@endpoint(bp, "/recruitment/employers", "GET", permission="recruitment.verify", name="employers", tags=TAGS,
          query=".schemas:EmployersQuery", response=".schemas:Employers",
          summary="The county's employer accounts in one state (pending, verified, refused), newest first (one Query)")
def employers(call: Call):
    q = call.query
    return service.list_employers(call.ctx, q.status, q.limit, q.cursor)


@endpoint(bp, "/recruitment/employers/{eid}/decision", "POST", permission="recruitment.verify",
          name="decide_employer", tags=TAGS, body=".schemas:DecideIn", response=".schemas:EmployerOut",
          summary="Verify (the applicant gets the employer role at the county) or refuse with a reason")
def decide_employer(call: Call):
    return service.decide_employer(call.ctx, call.params["eid"], call.body)


# --- jobs ---

@endpoint(bp, "/recruitment/jobs", "POST", permission=HIRE, name="post_job", tags=TAGS, body=".schemas:JobIn",
          response=".schemas:JobOut", status=201, idempotent=True,
          summary="A verified employer posts a job (listed in the seekers' feeds; alerts to matching subscribers)")
def post_job(call: Call):
    return service.post_job(call.ctx, call.body)


@endpoint(bp, "/recruitment/jobs", "GET", permission=SIGNED_IN, name="jobs", tags=TAGS, query=".schemas:JobsQuery",
          response=".schemas:Jobs",
          summary="Open jobs newest first, by category and/or township (the county code: county-wide jobs); one Query")
def jobs(call: Call):
    q = call.query
    return service.list_jobs(call.ctx, q.category, q.township, q.limit, q.cursor)


@endpoint(bp, "/recruitment/jobs/mine", "GET", permission=HIRE, name="my_jobs", tags=TAGS,
          query=".schemas:PageQuery", response=".schemas:MyJobs",
          summary="The employer's own jobs (every state) with applicant counts, newest first (one Query)")
def my_jobs(call: Call):
    return service.my_jobs(call.ctx, call.query.limit, call.query.cursor)


@endpoint(bp, "/recruitment/jobs/{jid}", "GET", permission=SIGNED_IN, name="job", tags=TAGS,
          response=".schemas:JobOut", summary="One job (a closed one only to its employer and its applicants)")
def job(call: Call):
    return service.get_job(call.ctx, call.params["jid"])


@endpoint(bp, "/recruitment/jobs/{jid}", "PUT", permission=HIRE, name="update_job", tags=TAGS,
          body=".schemas:JobUpdate", response=".schemas:JobOut",
          summary="Edit an open job of mine (with the rev read: 409 version_conflict when stale)")
def update_job(call: Call):
    return service.update_job(call.ctx, call.params["jid"], call.body)


@endpoint(bp, "/recruitment/jobs/{jid}/close", "POST", permission=HIRE, name="close_job", tags=TAGS,
          response=".schemas:JobOut", summary="Close a job of mine (no more applications; offers made still stand)")
def close_job(call: Call):
    return service.close_job(call.ctx, call.params["jid"])


@endpoint(bp, "/recruitment/jobs/{jid}/applicants", "GET", permission=HIRE, name="job_applicants", tags=TAGS,
          query=".schemas:PageQuery", response=".schemas:Applicants",
          summary="A job's applicants (its employer only) with profile and video résumé; marks them 已查看")
def job_applicants(call: Call):
    return applications.applicants(call.ctx, call.params["jid"], call.query.limit, call.query.cursor)


@endpoint(bp, "/recruitment/jobs/{jid}/applications", "POST", permission=SIGNED_IN, name="apply_job", tags=TAGS,
          body=".schemas:ApplyIn", response=".schemas:ApplicationOut", status=201, idempotent=True,
          summary="Apply for a job (needs a profile; once per job: 409 already_applied; 409 job_closed / job_full)")
def apply_job(call: Call):
    return applications.apply(call.ctx, call.params["jid"], call.body.note)


# --- seekers ---

@endpoint(bp, "/recruitment/profile", "GET", permission=SIGNED_IN, name="recruitment_profile", tags=TAGS,
          response=".schemas:ProfileOut", summary="My job-seeker profile (with my video résumé, if any)")
def profile(call: Call):
    return service.get_profile(call.ctx)


@endpoint(bp, "/recruitment/profile", "PUT", permission=SIGNED_IN, name="put_recruitment_profile", tags=TAGS,
          body=".schemas:ProfileIn", response=".schemas:ProfileOut",
          summary="Keep my profile (the phone is encrypted; employers see it only after inviting me to an interview)")
def put_profile(call: Call):
    return service.put_profile(call.ctx, call.body)


@endpoint(bp, "/recruitment/applications/mine", "GET", permission=SIGNED_IN, name="my_applications", tags=TAGS,
          query=".schemas:PageQuery", response=".schemas:Applications",
          summary="My applications with their status, newest first (one Query)")
def my_applications(call: Call):
    return applications.mine(call.ctx, call.query.limit, call.query.cursor)


@endpoint(bp, "/recruitment/applications/{aid}/interview", "POST", permission=HIRE, name="invite_interview",
          tags=TAGS, body=".schemas:InterviewIn", response=".schemas:ApplicationOut",
          summary="Invite the applicant to an interview (or move it): SMS and inbox; the interview room is made")
def invite(call: Call):
    return applications.invite(call.ctx, call.params["aid"], call.body)


@endpoint(bp, "/recruitment/applications/{aid}/offer", "POST", permission=HIRE, name="offer_job", tags=TAGS,
          body=".schemas:NoteIn", response=".schemas:ApplicationOut", summary="Send an offer (已发录用)")
def offer(call: Call):
    return applications.offer(call.ctx, call.params["aid"], call.body.note)


@endpoint(bp, "/recruitment/applications/{aid}/reject", "POST", permission=HIRE, name="reject_application",
          tags=TAGS, body=".schemas:NoteIn", response=".schemas:ApplicationOut", summary="未通过, with a note")
def reject(call: Call):
    return applications.reject(call.ctx, call.params["aid"], call.body.note)


@endpoint(bp, "/recruitment/applications/{aid}/accept", "POST", permission=SIGNED_IN, name="accept_offer",
          tags=TAGS, response=".schemas:ApplicationOut",
          summary="Accept my offer: takes one opening (409 job_full when none is left; never oversold)")
def accept(call: Call):
    return applications.accept(call.ctx, call.params["aid"])


@endpoint(bp, "/recruitment/applications/{aid}/decline", "POST", permission=SIGNED_IN, name="decline_offer",
          tags=TAGS, response=".schemas:ApplicationOut", summary="Decline my offer")
def decline(call: Call):
    return applications.decline(call.ctx, call.params["aid"])


# --- alerts ---

@endpoint(bp, "/recruitment/alerts", "GET", permission=SIGNED_IN, name="recruitment_alert", tags=TAGS,
          response=".schemas:AlertOut", summary="My job alert")
def alert(call: Call):
    return service.get_alert(call.ctx)


@endpoint(bp, "/recruitment/alerts", "PUT", permission=SIGNED_IN, name="put_recruitment_alert", tags=TAGS,
          body=".schemas:AlertIn", response=".schemas:AlertOut",
          summary="Subscribe to new jobs by categories and townships ([]: any), by inbox and optionally SMS")
def put_alert(call: Call):
    return service.put_alert(call.ctx, call.body)


@endpoint(bp, "/recruitment/alerts", "DELETE", permission=SIGNED_IN, name="delete_recruitment_alert", tags=TAGS,
          response=".schemas:AlertOut", summary="Stop my job alert")
def delete_alert(call: Call):
    return service.delete_alert(call.ctx)
