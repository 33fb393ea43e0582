"""网上代办: the county's catalogue of items that can be applied for from the village."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import OWN_HOUSEHOLD, SIGNED_IN, Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)
applications = lazy_module(".applications", __package__)
consent = lazy_module(".consent", __package__)
stats = lazy_module(".stats", __package__)

bp = Blueprint(__name__)
TAGS = ("errands",)
ITEM_ID = "[0-9a-f]{12}"


@endpoint(bp, "/errands/items", "GET", permission=SIGNED_IN, name="errand_items", tags=TAGS,
          query=".schemas:ItemsQuery", response=".schemas:Catalogue",
          summary="The county's catalogue as the phone lists and searches it (one read); all=true: switched-off "
                  "items too (errands.configure)")
def items(call: Call):
    return service.catalogue(call.ctx, call.query.all)


@endpoint(bp, "/errands/items/{item_id}", "GET", permission=SIGNED_IN, name="errand_item", tags=TAGS,
          response=".schemas:ItemOut",
          summary="One item: materials (which originals are seen), the form's fields, fee, time limits, delivery")
def item(call: Call):
    return service.get(call.ctx, call.params["item_id"])


@endpoint(bp, "/errands/items", "POST", permission="errands.configure", name="create_errand_item", tags=TAGS,
          body=".schemas:ItemIn", response=".schemas:ItemOut", status=201, idempotent=True,
          summary="Add an item to the county's catalogue")
def create(call: Call):
    return service.create(call.ctx, call.body)


@endpoint(bp, "/errands/items/{item_id}", "PUT", permission="errands.configure", name="update_errand_item",
          tags=TAGS, body=".schemas:ItemUpdate", response=".schemas:ItemOut",
          summary="Change an item (the whole definition, with the version read: 409 version_conflict when stale); "
                  "enabled=false stops it being offered")
def update(call: Call):
    return service.update(call.ctx, call.params["item_id"], call.body)


@endpoint(bp, "/errands/import", "POST", permission="errands.configure", name="import_errand_items", tags=TAGS,
          body=".schemas:ImportIn", response=".schemas:ImportOut",
          summary="Import the county's own list (uploaded with POST /imports/uploads kind=errands): dry_run "
                  "previews every row; otherwise all or nothing (422 import_rejected with the bad rows)")
def import_items(call: Call):
    return service.import_sheet(call.ctx, call.body.key, call.body.dry_run)


@endpoint(bp, "/errands/applications", "POST", permission=(OWN_HOUSEHOLD, "errands.proxy"), name="apply_errand",
          tags=TAGS, body=".schemas:ApplicationIn", response=".schemas:ApplicationOut", status=201, idempotent=True,
          summary="Apply for an item for one of my households, or on a household's behalf with the code it was "
                  "texted (errands.proxy): the item's form, a photo of every material, pickup or courier; filed on "
                  "the case workflow (its ref in case.ref)")
def apply(call: Call):
    return applications.apply(call.ctx, call.body)


@endpoint(bp, "/errands/applications/{ref}", "GET", permission=SIGNED_IN, name="errand_application", tags=TAGS,
          response=".schemas:ApplicationOut",
          summary="An application as its applicant or a handler in scope sees it (a staff view of the materials is "
                  "recorded)")
def application(call: Call):
    return applications.detail(call.ctx, call.params["ref"])


@endpoint(bp, "/errands/applications/{ref}/actions", "POST", permission=SIGNED_IN, name="errand_step", tags=TAGS,
          body=".schemas:StepIn", response=".schemas:ApplicationOut", idempotent=True,
          summary="A step of an application: return / forward (service point), decide (department), ship / ready, "
                  "supplement / receive (applicant); the applicant is told of every staff step (inbox and SMS)")
def step(call: Call):
    return applications.act(call.ctx, call.params["ref"], call.body)


@endpoint(bp, "/errands/consents", "POST", permission="errands.proxy", name="errand_consent", tags=TAGS,
          body=".schemas:ConsentIn", response=".schemas:ConsentOut", status=202,
          summary="Text a household the code that lets me apply on its behalf (once a minute, 5 times a day)")
def ask_consent(call: Call):
    return consent.request(call.ctx, call.body.household)


@endpoint(bp, "/errands/applications", "GET", permission=(OWN_HOUSEHOLD, "errands.proxy"),
          name="household_errands", tags=TAGS, query=".schemas:HouseholdQuery",
          response=".schemas:HouseholdApplications",
          summary="我家的申请: the applications made for a household (by its villagers or on its behalf), newest first")
def household_applications(call: Call):
    q = call.query
    return applications.for_household(call.ctx, q.household, q.limit, q.cursor)


@endpoint(bp, "/errands/stats", "GET", permission="errands.read", name="errand_stats", tags=TAGS,
          query=".schemas:StatsQuery", response=".schemas:StatsOut",
          summary="A month's numbers per item and township: applications, decided, within the legal time limit, "
                  "average working days, share delivered to the door (counters kept at write time: one Query)")
def stats_report(call: Call):
    return stats.report(call.ctx, call.query.place, call.query.month)


@endpoint(bp, "/errands/stats/export", "POST", permission="errands.read", name="export_errand_stats", tags=TAGS,
          body=".schemas:StatsQuery", response=".schemas:ExportOut",
          summary="The month's numbers as an Excel workbook (by township and item; by item): a link valid 10 minutes")
def stats_export(call: Call):
    return stats.workbook(call.ctx, call.body.place, call.body.month)
