"""网络投票 (V-3..V-7) for investors: 我的投票, the meeting page (投票前页), the ballot with
its preview and confirmation, the receipt, the results; and for credit and nominee
accounts (web hall, institution login) the per-holder entry, the Excel template and
upload, and 提交投票结果. The rules live in ``wechat_hall.services.voting``: who may vote with
which account through which channel and when results show (``meetings``), the opinion on
a ballot (``opinions``), casting it (``ballots``), the split accounts' drafts (``split``)."""
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from h5.identity import activated_required, current_user, in_wechat
from models import VoteBallot
from models.voting import CHOICES, WEB, WECHAT
from wechat_hall.extensions import db
from wechat_hall.masking import mask_name
from wechat_hall.request_guard import accepts_upload
from wechat_hall.services.voting import ballots, meetings, opinions, register, split_excel, tally
from wechat_hall.services.voting import split as vote_split
from wechat_hall.services.voting.ballots import AlreadyVoted
from wechat_hall.services.voting.meetings import VoteRefused
from wechat_hall.services.voting.opinions import BallotInvalid

bp = Blueprint("votes", __name__, url_prefix="/h5/votes")

CONFIRM_TEXT = ("如您点击“确定”按钮，即表示您对上述投票结果完全确定并正式提交；"
                "投票结果正式提交后，不能通过本系统进行更改。")
TIPS = [
    "持有人会议议案分为两种类型：表决型和选举型；",
    "表决型议案可直接选择赞成、反对或弃权；",
    "选举型议案的表决权数=投票人持股总数×当选人数；",
    "您既可将所有表决权集中投给一人，也可分散投给数人；",
]


def _channel():
    return WECHAT if in_wechat() else WEB


def _refused(message, status=403):
    return render_template("hall/votes/refused.html", message=message), status


def _load(meeting_id, account=None):
    """(meeting entry, account entry) of the signed-in user, or VoteRefused."""
    user = current_user()
    if account is None:
        return meetings.meeting_for(user, meeting_id), None
    return meetings.account_for(user, meeting_id, account.upper())


@bp.errorhandler(VoteRefused)
def refused(exc):
    db.session.rollback()
    return _refused(str(exc))


@bp.get("/hall")
def landing():
    """网络投票 (seed 三.1.1, the web hall's menu entry): what it is, and 我的投票."""
    return render_template("hall/votes/landing.html", tips=TIPS)


@bp.get("")
@activated_required
def index():
    return render_template("hall/votes/index.html",
                           entries=meetings.meetings_for(current_user()))


@bp.get("/<int:meeting_id>")
@activated_required
def meeting(meeting_id):
    entry, _ = _load(meeting_id)
    channel = _channel()
    refusals = {a.account: meetings.channel_refusal(a.holding, channel) for a in entry.accounts}
    return render_template("hall/votes/meeting.html", entry=entry, meeting=entry.meeting,
                           refusals=refusals)


def _ballot_page(entry, acc, struct, values, errors=None, status=200):
    return render_template("hall/votes/ballot.html", meeting=entry.meeting, acc=acc,
                           struct=struct, tips=TIPS, values=values, errors=errors or [],
                           choices=CHOICES), status


@bp.route("/<int:meeting_id>/<account>/ballot", methods=["GET", "POST"])
@activated_required
def ballot(meeting_id, account):
    entry, acc = _load(meeting_id, account)
    meeting = entry.meeting
    if acc.ballot is not None:
        flash("该证券账户已投票，投票结果不能更改。", "info")
        return redirect(url_for(".receipt", meeting_id=meeting.id, account=acc.account))
    if acc.holding.split:
        meetings.require_channel(acc.holding, _channel())
        return redirect(url_for(".split", meeting_id=meeting.id, account=acc.account))
    meetings.require_open(meeting)
    struct = opinions.structure(meeting)
    if request.method == "GET":
        return _ballot_page(entry, acc, struct, {})
    values = request.form.to_dict()
    if values.get("step") == "edit":  # 返回 from the confirmation: the filled-in ballot
        return _ballot_page(entry, acc, struct, values)
    try:
        opinion = opinions.parse_form(struct, values)
        resolved = opinions.resolve(struct, acc.holding.quantity, opinion, acc.account,
                                          acc.holding.name)
    except BallotInvalid as exc:
        return _ballot_page(entry, acc, struct, values, exc.errors, 400)
    if values.get("step") != "confirm":
        return render_template("hall/votes/preview.html", meeting=meeting, acc=acc,
                               resolved=resolved, values=values, choices=CHOICES,
                               confirm_text=CONFIRM_TEXT)
    try:
        cast = ballots.cast(meeting, acc.holding, resolved.lines, user=current_user(),
                            channel=_channel())
    except AlreadyVoted as exc:
        flash(str(exc), "error")
        return redirect(url_for(".receipt", meeting_id=meeting.id, account=acc.account))
    # The ids as they came (the commit expired the meeting: no reload for the redirect);
    # the receipt says 投票成功 from ``new=1`` (no session write on the hot path).
    return redirect(url_for(".receipt", meeting_id=meeting_id, account=cast.account, new=1))


def _own_ballot(meeting_id, account):
    return db.session.execute(db.select(VoteBallot).filter_by(
        meeting_id=meeting_id, account=account)).scalar_one_or_none()


@bp.get("/<int:meeting_id>/<account>/receipt")
@activated_required
def receipt(meeting_id, account):
    """查看投票结果: the account's own ballot (and, for a split ballot, its tiers)."""
    entry, acc = _load(meeting_id, account)
    ballot = _own_ballot(meeting_id, acc.account)
    if ballot is None:
        return _refused("该证券账户尚未投票。", 404)
    struct = opinions.structure(entry.meeting)
    result = tally.tally(entry.meeting, ballot_id=ballot.id) if ballot.split else None
    return render_template("hall/votes/receipt.html", meeting=entry.meeting, acc=acc,
                           ballot=ballot, struct=struct, result=result,
                           summary=_summary(ballot), choices=CHOICES,
                           closed=entry.results_published, mask_name=mask_name,
                           just_cast=request.args.get("new") == "1")


def _summary(ballot):
    """The ballot's opinions by item, over all its holders."""
    out = {}
    for line in ballot.lines:
        key = line.item_id if line.item_id is not None else f"p{line.proposal_id}"
        bucket = out.setdefault(key, {"for": 0, "against": 0, "abstain": 0, "votes": 0,
                                      "implicit": False, "overall": False})
        bucket[line.choice] += line.votes
        bucket["implicit"] |= line.implicit
        bucket["overall"] |= line.overall
    return out


@bp.get("/<int:meeting_id>/results")
@activated_required
def results(meeting_id):
    """The meeting's totals by tier, once voting has closed."""
    entry, _ = _load(meeting_id)
    result = tally.published(entry.meeting)
    if result is None:
        return _refused("投票结束后方可查看本次会议的投票结果汇总。", 403)
    return render_template("hall/votes/results.html", meeting=entry.meeting, entry=entry,
                           result=result, tiers=tally.TIER_KEYS, choices=CHOICES,
                           percent=tally.percent)


# --- credit and nominee accounts (V-7) ------------------------------------------------

def _split_account(meeting_id, account):
    entry, acc = _load(meeting_id, account)
    if not acc.holding.split:
        abort(404)
    meetings.require_channel(acc.holding, _channel())
    return entry, acc


@bp.get("/<int:meeting_id>/<account>/split")
@activated_required
def split(meeting_id, account):
    entry, acc = _split_account(meeting_id, account)
    if acc.ballot is not None:
        return redirect(url_for(".receipt", meeting_id=meeting_id, account=acc.account))
    return _split_page(entry, acc)


def _split_page(entry, acc, errors=None, values=None, status=200):
    meeting = entry.meeting
    struct = opinions.structure(meeting)
    holders = vote_split.draft_holders(meeting.id, acc.account)
    under = register.underlying(meeting.id, acc.account)
    return render_template(
        "hall/votes/split.html", meeting=meeting, acc=acc, struct=struct, tips=TIPS,
        holders=holders, total=sum(h.shares for h in holders), errors=errors or [],
        values=values or {}, choices=CHOICES, has_under=bool(under),
        phase=entry.phase, instructions=split_excel.instructions(struct, acc.holding),
        mode=request.args.get("mode") or (values or {}).get("mode") or "typed"), status


@bp.post("/<int:meeting_id>/<account>/split/rows")
@activated_required
def split_add(meeting_id, account):
    entry, acc = _split_account(meeting_id, account)
    struct = opinions.structure(entry.meeting)
    try:
        vote_split.add_typed(entry.meeting, struct, acc.holding, request.form.to_dict(),
                             current_user())
    except vote_split.UploadInvalid as exc:
        db.session.rollback()
        return _split_page(entry, acc, exc.errors, request.form.to_dict(), 400)
    flash("已保存该明细持有人的投票意见。", "success")
    return redirect(url_for(".split", meeting_id=meeting_id, account=acc.account))


@bp.post("/<int:meeting_id>/<account>/split/rows/<holder>/delete")
@activated_required
def split_remove(meeting_id, account, holder):
    entry, acc = _split_account(meeting_id, account)
    try:
        vote_split.remove_typed(entry.meeting, acc.holding, holder.upper(), current_user())
    except vote_split.UploadInvalid as exc:
        db.session.rollback()
        return _split_page(entry, acc, exc.errors, status=400)
    flash("已删除该条投票明细。", "success")
    return redirect(url_for(".split", meeting_id=meeting_id, account=acc.account))


@bp.get("/<int:meeting_id>/<account>/split/lookup")
@activated_required
def split_lookup(meeting_id, account):
    """明细证券账户 → 姓名 and 持有股数 (typed-in entry fills them in)."""
    entry, acc = _split_account(meeting_id, account)
    row = vote_split.lookup(meeting_id, acc.account, request.args.get("holder", ""))
    if row is None:
        return jsonify(found=False, message="该证券账户不是本账户在权益登记日的明细持有人"), 404
    return jsonify(found=True, account=row.account, name=row.name, shares=row.quantity)


@bp.get("/<int:meeting_id>/<account>/split/template.xlsx")
@activated_required
def split_template(meeting_id, account):
    entry, acc = _split_account(meeting_id, account)
    data = split_excel.template_xlsx(opinions.structure(entry.meeting), acc.holding)
    name = f"vote_{entry.meeting.security_code}_{acc.account}.xlsx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.post("/<int:meeting_id>/<account>/split/upload")
@activated_required
@accepts_upload
def split_upload(meeting_id, account):
    entry, acc = _split_account(meeting_id, account)
    upload = request.files.get("file")
    data = upload.read(split_excel.MAX_UPLOAD_BYTES + 1) if upload else b""
    try:
        draft = split_excel.upload(entry.meeting, opinions.structure(entry.meeting),
                                  acc.holding, data, current_user())
    except vote_split.UploadInvalid as exc:
        db.session.rollback()
        return _split_page(entry, acc, ["上传未成功，已保存的投票明细未改变："] + exc.errors,
                           {"mode": "excel"}, 400)
    flash(f"上传成功：共 {len(draft.rows)} 位明细持有人。确认无误后请点击“提交投票结果”。",
          "success")
    return redirect(url_for(".split", meeting_id=meeting_id, account=acc.account,
                            mode="excel"))


@bp.route("/<int:meeting_id>/<account>/split/submit", methods=["GET", "POST"])
@activated_required
def split_submit(meeting_id, account):
    entry, acc = _split_account(meeting_id, account)
    struct = opinions.structure(entry.meeting)
    if request.method == "GET":
        holders = vote_split.draft_holders(meeting_id, acc.account)
        if not holders:
            flash("尚未录入或上传任何投票明细。", "error")
            return redirect(url_for(".split", meeting_id=meeting_id, account=acc.account))
        return render_template("hall/votes/split_confirm.html", meeting=entry.meeting, acc=acc,
                               holders=holders, total=sum(h.shares for h in holders),
                               confirm_text=CONFIRM_TEXT, struct=struct)
    try:
        vote_split.submit(entry.meeting, struct, acc.holding, current_user())
    except AlreadyVoted as exc:
        flash(str(exc), "error")
        return redirect(url_for(".receipt", meeting_id=meeting_id, account=acc.account))
    except vote_split.UploadInvalid as exc:
        db.session.rollback()
        return _split_page(entry, acc, exc.errors, status=400)
    flash("投票结果已正式提交。", "success")
    return redirect(url_for(".receipt", meeting_id=meeting_id, account=acc.account))
