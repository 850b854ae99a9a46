"""Chinese for the meetings app (editing, materials, invitee picker)."""

ZH = {
    "Material": "会议材料",
    "PDF, Word, Excel, PowerPoint or an image; at most 20 MB.": "PDF、Word、Excel、PowerPoint 或图片，不超过 20 MB。",
    "Find an organization or a person": "查找组织或人员",
    "You cannot invite %(names)s: outside the organizations you can see.": "不能邀请%(names)s：不在您可查看的组织范围内。",
    "You cannot invite %(names)s: only people within the host organization or an invited organization.":
        "不能邀请%(names)s：只能邀请主办组织或受邀组织范围内的人员。",
    "%(n)s of the chosen people are not records you can see.": "所选人员中有 %(n)s 人不在您可查看的范围内。",
    "Follow-up actions owned by %(names)s would fall outside the new host's scope; change their owners first.":
        "%(names)s 负责的后续事项将超出新主办组织的范围，请先更换负责人。",
    "You are invited to %(title)s": "邀请您参加%(title)s",
    "Choose an organization or a person to invite.": "请选择要邀请的组织或人员。",
    "Edit meeting": "编辑会议",
    "Invited people": "受邀人员",
    "e.g. a village name or a surname": "例如村名或姓氏",
    "Remove this material?": "删除这份材料？",
    "No materials yet.": "暂无材料。",
    "Invite organizations and people": "邀请组织和人员",
    "No organization matches.": "没有匹配的组织。",
    "No person matches within the meeting's scope.": "会议范围内没有匹配的人员。",
    "Only the first 10 matches are shown; type more to narrow the search.": "仅显示前 10 个结果，请输入更多文字缩小范围。",
    "Type part of an organization's name or the beginning of a person's name.": "输入组织名称的一部分或人员姓名的开头。",
    "The minutes form was incomplete; reload the page and try again.": "纪要表单不完整，请刷新页面后重试。",
    "Meeting saved.": "会议已保存。",
    "%(name)s uploaded.": "%(name)s 已上传。",
    "%(name)s removed.": "%(name)s 已删除。",
    "%(name)s invited.": "已邀请%(name)s。",
    "%(name)s was already invited; nothing changed.": "%(name)s 已在邀请名单中，未作更改。",
    "Invitation withdrawn.": "已撤回邀请。",
    # API, ID-number search, sign-in scope
    "Type the beginning (or a part) of an organization's name, the beginning of a person's name, or the last 4 digits of a person's ID number.":
        "输入组织名称的开头（或其中一部分）、人员姓名的开头，或人员身份证号码的后 4 位。",
    "Searching by ID number is only for administrators of the people's organizations.":
        "按身份证号码查找仅限人员所在组织的管理员使用。",
    "People whose ID number ends with these digits, in the organizations you manage.":
        "您管理的组织中身份证号码以这几位结尾的人员。",
    "%(name)s is neither invited nor within the host organization or an invited organization; sign them in as a guest by name.":
        "%(name)s 既不在邀请名单中，也不属于主办组织或受邀组织；请按姓名作为来宾签到。",
    "Only published cases can be presented: %(titles)s is not published.": "只能交流已发布的案例：%(titles)s 尚未发布。",
    "No person with this id among those you can see.": "在您可查看的人员中没有此编号的人员。",
}
