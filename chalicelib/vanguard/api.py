"""Routes of the vanguard module (HTTP only; the work is in its service modules)."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import SIGNED_IN, Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)
points = lazy_module(".points", __package__)

bp = Blueprint(__name__)
TAGS = ("vanguard",)


@endpoint(bp, "/vanguard/uploads", "POST", permission="vanguard.post", name="vanguard_photo_upload", tags=TAGS,
          body=".schemas:UploadIn", response=".schemas:UploadForm", status=201,
          summary="A presigned S3 form for one photo of a deed (JPEG/PNG/WebP, at most 300 KB)")
def upload(call: Call):
    return service.upload(call.ctx, call.body.content_type)


@endpoint(bp, "/vanguard/deeds", "POST", permission="vanguard.post", name="post_deed", tags=TAGS,
          body=".schemas:DeedIn", response=".schemas:DeedOut", status=201, idempotent=True,
          summary="A party member posts a deed (最新实事: text, 1–9 photos) for their village; it waits for approval")
def post_deed(call: Call):
    return service.post(call.ctx, call.body.text, call.body.photos)


@endpoint(bp, "/vanguard/deeds", "GET", permission=SIGNED_IN, name="deed_feed", tags=TAGS,
          query=".schemas:FeedQuery", response=".schemas:DeedPage",
          summary="Approved deeds of a village (its people), a township or the county (staff there), newest first, "
                  "with likes and whether I liked each (one Query and one BatchGet)")
def feed(call: Call):
    q = call.query
    return service.feed(call.ctx, q.place, q.limit, q.cursor)


@endpoint(bp, "/vanguard/deeds/pending", "GET", permission="vanguard.approve", name="deed_queue", tags=TAGS,
          query=".schemas:QueueQuery", response=".schemas:DeedPage",
          summary="Deeds of a village awaiting approval, oldest first")
def pending(call: Call):
    q = call.query
    return service.queue(call.ctx, q.village, q.limit, q.cursor)


@endpoint(bp, "/vanguard/deeds/mine", "GET", permission="vanguard.post", name="my_deeds", tags=TAGS,
          query=".schemas:PageQuery", response=".schemas:DeedPage",
          summary="My deeds, every status (a rejected one with its reason), newest first")
def mine(call: Call):
    q = call.query
    return service.mine(call.ctx, q.limit, q.cursor)


@endpoint(bp, "/vanguard/deeds/{did}", "GET", permission=SIGNED_IN, name="deed", tags=TAGS,
          response=".schemas:DeedOut",
          summary="One deed: approved, for the village's people; pending or rejected, for its author and approvers")
def deed(call: Call):
    return service.detail(call.ctx, call.params["did"])


@endpoint(bp, "/vanguard/deeds/{did}/decision", "POST", permission="vanguard.approve", name="decide_deed",
          tags=TAGS, body=".schemas:DecisionIn", response=".schemas:DeedOut",
          summary="Approve (the author earns the rule's points within the month's cap; the feeds list it) or reject "
                  "with a reason; once (409 already_decided)")
def decide(call: Call):
    b = call.body
    return service.decide(call.ctx, call.params["did"], b.action, b.reason)


@endpoint(bp, "/vanguard/deeds/{did}/like", "PUT", permission=SIGNED_IN, name="like_deed", tags=TAGS,
          response=".schemas:LikeOut",
          summary="Like an approved deed I can see: once per person (again: no change); the count is sharded")
def like(call: Call):
    return service.like(call.ctx, call.params["did"])


@endpoint(bp, "/vanguard/deeds/{did}/like", "DELETE", permission=SIGNED_IN, name="unlike_deed", tags=TAGS,
          response=".schemas:LikeOut", summary="Take my like back (not liked: no change)")
def unlike(call: Call):
    return service.unlike(call.ctx, call.params["did"])


@endpoint(bp, "/vanguard/deeds/{did}/comments", "POST", permission=SIGNED_IN, name="comment_deed", tags=TAGS,
          body=".schemas:CommentIn", response=".schemas:CommentOut", status=201, idempotent=True,
          summary="Comment on an approved deed (≤ 200 characters): held for moderation, seen by its author meanwhile")
def comment(call: Call):
    return service.add_comment(call.ctx, call.params["did"], call.body.text)


@endpoint(bp, "/vanguard/deeds/{did}/comments", "GET", permission=SIGNED_IN, name="deed_comments", tags=TAGS,
          query=".schemas:PageQuery", response=".schemas:CommentPage",
          summary="A deed's approved comments and my own pending ones (moderators: all), oldest first")
def comments(call: Call):
    q = call.query
    return service.comments(call.ctx, call.params["did"], q.limit, q.cursor)


@endpoint(bp, "/vanguard/comments/pending", "GET", permission="vanguard.approve", name="comment_queue", tags=TAGS,
          query=".schemas:QueueQuery", response=".schemas:CommentPage",
          summary="Comments on a village's deeds awaiting moderation, oldest first")
def comment_queue(call: Call):
    q = call.query
    return service.comment_queue(call.ctx, q.village, q.limit, q.cursor)


@endpoint(bp, "/vanguard/deeds/{did}/comments/{cid}/decision", "POST", permission="vanguard.approve",
          name="moderate_comment", tags=TAGS, body=".schemas:ModerationIn", response=".schemas:CommentOut",
          summary="Approve (shown to all) or hide a comment")
def moderate(call: Call):
    return service.moderate(call.ctx, call.params["did"], call.params["cid"], call.body.action)


@endpoint(bp, "/vanguard/rules", "GET", permission=SIGNED_IN, name="vanguard_rules", tags=TAGS,
          response=".schemas:RulesOut", summary="The county's points rules: points per event and monthly caps")
def rules(call: Call):
    return points.get_rules(call.ctx)


@endpoint(bp, "/vanguard/rules", "PUT", permission="vanguard.rules", name="set_vanguard_rules", tags=TAGS,
          body=".schemas:RulesIn", response=".schemas:RulesOut",
          summary="Set sources' points and monthly caps (the organisation department), with the version read")
def set_rules(call: Call):
    return points.set_rules(call.ctx, call.body.rules, call.body.version)


@endpoint(bp, "/vanguard/points/awards", "POST", permission="vanguard.rules", name="award_points", tags=TAGS,
          body=".schemas:AwardIn", response=".schemas:EntryOut", status=201, idempotent=True,
          summary="Award study or volunteer-service points to a party member, once per event ref (409 "
                  "already_awarded), within the month's cap")
def award(call: Call):
    return service.award_route(call.ctx, call.body)


@endpoint(bp, "/vanguard/points/corrections", "POST", permission="vanguard.rules", name="correct_points",
          tags=TAGS, body=".schemas:CorrectionIn", response=".schemas:EntryOut", status=201, idempotent=True,
          summary="Correct a member's points: a new ± entry with the reason (entries are never edited)")
def correct(call: Call):
    return service.correct(call.ctx, call.body)


@endpoint(bp, "/vanguard/points/{uid}", "GET", permission=SIGNED_IN, name="member_points", tags=TAGS,
          query=".schemas:PageQuery", response=".schemas:PointsOut",
          summary="A party member's balance, this month's points per source and ledger entries, newest first (the "
                  "member, or staff who approve at their village or set the rules)")
def member_points(call: Call):
    q = call.query
    return service.ledger(call.ctx, call.params["uid"], q.limit, q.cursor)


@endpoint(bp, "/vanguard/index", "GET", permission=SIGNED_IN, name="vanguard_index", tags=TAGS,
          query=".schemas:IndexQuery", response=".schemas:IndexOut",
          summary="党建指数: a village's party members by points, or a township's villages by their members' average, "
                  "for a month or a quarter, with the formula (one read of a pre-aggregated item)")
def index(call: Call):
    q = call.query
    return service.index(call.ctx, q.place, q.period)
