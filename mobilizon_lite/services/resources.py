"""A group's shared resources: a tree of folders and links (the association's pad, cloud folder,
video room…) that its members add, edit, move and delete. Also the members-only access both this
tree and the todo lists go through: pages for members, ActivityStreams collections for members'
signed fetches, nothing for anyone else."""
import uuid as uuid_lib

from flask_babel import gettext as _
from peewee import JOIN, fn

from ..activitypub.convert.actor import collection
from ..activitypub.convert.resource import resource_to_ap
from ..db import database, utcnow
from ..models import Actor, Resource
from ..models.limits import TITLE_MAX
from ..urls import public_url
from . import group_private_outbox
from .errors import Invalid, InvalidFields
from .event_input import clean_url
from .group_private_outbox import group_handle
from .group_roles import hidden, may, require

DESCRIPTION_MAX = 2000
# What one folder (or the root) may hold: its page lists it all at once.
FOLDER_ITEMS_MAX = 500
PER_PAGE = 10


def paged_collection(collection_id, query, to_ap, page):
    """The OrderedCollection of query's rows (or one page of them, page given) as to_ap writes each."""
    items = []
    if page is not None:
        items = [to_ap(row) for row in query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)]
    return collection(collection_id, items, query.count(), page, PER_PAGE)


def _resources_id(group):
    return public_url("resources.index", username=group.preferred_username)


def resource_of(group, resource_uuid):
    """The resource of group with this uuid; NotFound for any other, malformed uuids included."""
    row = Resource.get_or_none((Resource.uuid == resource_uuid) & (Resource.group == group))
    if row is None:
        raise hidden()
    return row


def folder_of(group, folder_uuid):
    """The folder of group with this uuid, None (the root) when folder_uuid is empty; NotFound otherwise."""
    if not folder_uuid:
        return None
    folder = resource_of(group, folder_uuid)
    if folder.type != Resource.FOLDER:
        raise hidden()
    return folder


def contents(group, folder):
    """What folder (None: the root) holds: folders first, then links, each by title."""
    place = Resource.parent.is_null() if folder is None else (Resource.parent == folder)
    return list(Resource.select().where((Resource.group == group) & place)
                .order_by(Resource.type, fn.LOWER(Resource.title), Resource.id))


def _folders(group):
    return {row.id: row for row in Resource.select(Resource.id, Resource.uuid, Resource.ap_id, Resource.title,
                                                      Resource.parent)
            .where((Resource.group == group) & (Resource.type == Resource.FOLDER))}


def _ancestors(parent_id, folders):
    chain = []
    while parent_id in folders and folders[parent_id] not in chain:
        chain.append(folders[parent_id])
        parent_id = folders[parent_id].parent_id
    return chain[::-1]


def breadcrumb(group, resource):
    """The folders above resource, from the root down."""
    return _ancestors(resource.parent_id, _folders(group))


def _subtree(folder_id, folders):
    """Ids of folder_id and of every folder below it."""
    found, frontier = {folder_id}, [folder_id]
    while frontier:
        below = [fid for fid, row in folders.items() if row.parent_id in frontier and fid not in found]
        found.update(below)
        frontier = below
    return found


def move_targets(group, resource):
    """[(uuid, path)] of the folders resource may move to (the root is ""), by path; a folder
    never into itself or its own folders."""
    folders = _folders(group)
    excluded = _subtree(resource.id, folders) if resource.type == Resource.FOLDER else set()
    paths = [(row.uuid, " / ".join(f.title for f in [*_ancestors(row.parent_id, folders), row]))
             for fid, row in folders.items() if fid not in excluded]
    return [("", _("Root of the resources")), *sorted(paths, key=lambda item: item[1].lower())]


def _check_room(group, folder):
    if len(contents(group, folder)) >= FOLDER_ITEMS_MAX:
        raise Invalid(_("This folder is full (%(max)d items): make a folder for more.", max=FOLDER_ITEMS_MAX))


def _clean(kind, title, url, description):
    errors = {}
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        errors["title"] = _("Give it a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Use at most %(max)d characters.", max=TITLE_MAX)
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _("Use at most %(max)d characters.", max=DESCRIPTION_MAX)
    if kind == Resource.LINK:
        url = clean_url(url, "url", errors)
        if not url:
            errors.setdefault("url", _("Enter the address of the link, starting with http:// or https://."))
    else:
        url = ""
    if errors:
        raise InvalidFields(errors)
    return {"title": title, "url": url, "description": description}


def add_resource(group, actor, kind, folder, title, url="", description=""):
    """A new link or folder (kind) of group in folder (None: the root), added by actor."""
    require(group, actor, "edit_resources")
    if kind not in (Resource.LINK, Resource.FOLDER):
        raise Invalid(_("Add a link or a folder."))
    fields = _clean(kind, title, url, description)
    _check_room(group, folder)
    resource_uuid = str(uuid_lib.uuid4())
    with database.atomic():
        resource = Resource.create(uuid=resource_uuid, group=group, parent=folder, type=kind, creator=actor,
                                   pending=not group.is_local,
                                   ap_id=public_url("resources.show", username=group_handle(group),
                                                    uuid=resource_uuid), **fields)
        _share(group, actor, "Create", resource)
    return resource


def _place_id(group, folder_id):
    """The id of the folder folder_id (None: the root, the resources collection), as context, origin or target."""
    return Resource.get_by_id(folder_id).ap_id if folder_id else _resources_id(group)


def _share(group, actor, verb, resource, **extra):
    """actor's verb of resource (as it is now), to the group's members elsewhere."""
    row = _documents_query(group).where(Resource.id == resource.id).get()
    document = resource_to_ap(row, group.ap_id, _place_id(group, row.parent_id),
                              row.creator.ap_id if row.creator_id else None)
    group_private_outbox.share(group, actor, verb, document, **extra)


def _type_of(resource):
    return "ResourceCollection" if resource.type == Resource.FOLDER else "Document"


def update_resource(group, resource, actor, title, url="", description=""):
    """Change a resource's title (and a link's address), and its description."""
    require(group, actor, "edit_resources")
    fields = _clean(resource.type, title, url, description)
    with database.atomic():
        Resource.update(updated_at=utcnow(), **fields).where(Resource.id == resource.id).execute()
        _share(group, actor, "Update", resource)


def move_resource(group, resource, actor, target_uuid):
    """Put resource in the folder of group target_uuid names ("" for the root); a folder never goes
    into itself or one of its own folders."""
    require(group, actor, "edit_resources")
    folders = _folders(group)
    target = next((row for row in folders.values() if row.uuid == target_uuid), None) if target_uuid else None
    if target_uuid and target is None:
        raise Invalid(_("Choose a folder of this group."), "target")
    if target is not None and resource.type == Resource.FOLDER and target.id in _subtree(resource.id, folders):
        raise Invalid(_("A folder cannot go into itself or into one of its own folders."), "target")
    target_id = target.id if target is not None else None
    if target_id == resource.parent_id:
        return
    _check_room(group, target)
    with database.atomic():
        Resource.update(parent=target_id, updated_at=utcnow()).where(Resource.id == resource.id).execute()
        _share(group, actor, "Move", resource, origin=_place_id(group, resource.parent_id),
               target=_place_id(group, target_id))


def inside_count(group, resource):
    """How many links and folders a folder holds, at every depth (0 for a link)."""
    if resource.type != Resource.FOLDER:
        return 0
    tree = _subtree(resource.id, _folders(group))
    return Resource.select().where(Resource.parent.in_(list(tree))).count()


def delete_resource(group, resource, actor):
    """Delete a link, or a folder with everything in it (the rows below go with it: ON DELETE CASCADE)."""
    require(group, actor, "edit_resources")
    with database.atomic():
        group_private_outbox.share_deletion(group, actor, resource.ap_id, _type_of(resource))
        Resource.delete().where(Resource.id == resource.id).execute()


def _as_ap(group, folder_ids):
    def to_ap(row):
        context = folder_ids.get(row.parent_id) or _resources_id(group)
        return resource_to_ap(row, group.ap_id, context, row.creator.ap_id if row.creator_id else None)
    return to_ap


def _documents_query(group):
    return (Resource.select(Resource, Actor).join(Actor, JOIN.LEFT_OUTER, on=(Resource.creator == Actor.id))
            .where(Resource.group == group))


def resources_collection(group, requester, page):
    """The group's resources collection: every resource, when requester is a member; empty otherwise."""
    if not may(group, requester, "see_members_only"):
        return collection(_resources_id(group), [], 0, page, PER_PAGE)
    folder_ids = {fid: row.ap_id for fid, row in _folders(group).items()}
    return paged_collection(_resources_id(group), _documents_query(group).order_by(Resource.id),
                            _as_ap(group, folder_ids), page)


def resource_document(group, resource_uuid, requester):
    """The Document or ResourceCollection of one resource, when requester is a member; NotFound otherwise."""
    if not may(group, requester, "see_members_only"):
        raise hidden()
    row = _documents_query(group).where(Resource.uuid == resource_uuid).first()
    if row is None:
        raise hidden()
    parent = Resource.get_by_id(row.parent_id) if row.parent_id else None
    return _as_ap(group, {parent.id: parent.ap_id} if parent else {})(row)
