"""Chinese for the award's online vote, objection handlers, slot editing, commendation and public results."""

ZH = {
    # online vote
    "Online vote": "网络投票",
    "online vote": "网络投票",
    "Hold an online vote of the members": "开展党员网络投票",
    "Weight of the vote (%)": "投票权重（%）",
    "weight of the vote (%)": "投票权重（%）",
    "0 keeps the expert ranking unchanged.": "填 0 时专家排序保持不变。",
    "Voting from": "投票开始日期",
    "voting from": "投票开始日期",
    "Voting until": "投票截止日期",
    "voting until": "投票截止日期",
    "Entries per ballot (at most)": "每张选票最多可选项目数",
    "entries per ballot": "每张选票可选项目数",
    "Entries": "参评项目",
    "entries chosen": "所选项目",
    "ballot": "选票",
    "ballots": "选票",
    "%(n)s ballot": "%(n)s 张选票",
    "The weight is a whole percentage from 0 to 100.": "权重须为 0 至 100 之间的整数百分比。",
    "Give the voting window.": "请填写投票起止日期。",
    "The online vote is set before the first round ends.": "网络投票须在分类初评结束前设置。",
    "Ballots have been cast: the rules of the vote can no longer change.": "已有人投票，投票规则不能再修改。",
    "This cycle has no online vote.": "本届评选未开展网络投票。",
    "Voting is open from %(a)s to %(b)s during the first round.": "网络投票在分类初评期间 %(a)s 至 %(b)s 开放。",
    "Choose at least one entry.": "请至少选择一个项目。",
    "Choose at most %(n)s entries.": "最多可选择 %(n)s 个项目。",
    "Choose entries of this category.": "请选择本类别的项目。",
    "You have already voted in this category.": "您已在本类别投过票。",
    "Your vote was recorded.": "您的投票已记录。",
    "The online vote settings were saved.": "网络投票设置已保存。",
    "Save vote settings": "保存投票设置",
    "Online vote in the first round (optional)": "分类初评网络投票（可选）",
    "Members and cadres in the scope vote once per category. The result is shown apart from the expert ranking and "
    "combined only by the formula shown on this page; with weight 0 or no vote the expert ranking is unchanged. The "
    "settings are fixed once the first ballot is cast.":
        "范围内的党员干部每个类别投票一次。投票结果与专家排序分开显示，只按本页列明的公式合成；权重为 0 或不投票时专家排序不变。"
        "第一张选票投出后设置即锁定。",
    "Online vote of the members (shown apart from the expert ranking)": "党员网络投票结果（与专家排序分开显示）",
    "Voting %(a)s – %(b)s; up to %(n)s entries per ballot; weight of the vote %(w)s%%. Vote share = ballots naming "
    "the entry ÷ ballots in the category.":
        "投票时间 %(a)s 至 %(b)s；每张选票最多选 %(n)s 项；投票权重 %(w)s%%。得票率 = 选择该项目的选票数 ÷ 本类别选票总数。",
    "Votes": "得票数",
    "Vote share": "得票率",
    "No entries.": "暂无项目。",
    "Expert ranking combined with the vote": "专家评分与网络投票合成结果",
    "Combined score = expert score (0–100) × (1 − %(w)s%%) + vote share (%%) × %(w)s%%":
        "合成得分 = 专家得分（0–100）×（1 − %(w)s%%）+ 得票率（%%）× %(w)s%%",
    "Expert score = the review engine's score ÷ its scale maximum × 100. The expert ranking above stays as it is; "
    "this table only shows the explicit combination.":
        "专家得分 = 专家评审得分 ÷ 评分满分 × 100。上方专家排序保持不变，本表仅按公式列明合成结果。",
    "Expert score": "专家得分",
    "Combined score": "合成得分",
    "Voting is open from %(a)s to %(b)s. In each category you may choose up to %(n)s entries, once; a ballot cannot "
    "be changed afterwards.":
        "投票时间为 %(a)s 至 %(b)s。每个类别您可选择不超过 %(n)s 个项目，只能投一次，投出后不能更改。",
    "Voting is not open now.": "当前不在投票时间内。",
    "You have voted in this category. Thank you.": "您已在本类别投票，谢谢参与。",
    "No entries in this category.": "本类别暂无项目。",
    "Cast my vote": "投票",
    "Vote": "投票",
    "View": "查看",
    "No online vote is running for your organization.": "您所在组织目前没有进行中的网络投票。",
    # objection handlers
    "Handler": "承办人",
    "Handle": "办理",
    "Assign": "指定",
    "Assign a handler": "指定承办人",
    "Choose a member of the department's staff.": "请从本部门工作人员中选择。",
    "The handler was assigned.": "已指定承办人。",
    "Objection %(r)s was assigned to you (reply due %(d)s).": "异议 %(r)s 已交由您办理（须于 %(d)s 前答复）。",
    "Objections assigned to me": "我承办的异议",
    "No objection is assigned to you.": "暂无交由您办理的异议。",
    "Findings and outcome": "核查情况与处理结果",
    "Record the answer": "记录答复",
    "This objection has been answered.": "该异议已答复。",
    "Withdrawing an entry after an upheld objection is decided by the administrator of the cycle.":
        "异议成立后是否撤销参评项目，由本届评选的管理员决定。",
    "Reply due": "答复期限",
    "10 working days from receipt": "自收到之日起 10 个工作日",
    "unknown: the working-day calendar has no data for that year": "未知：工作日历缺少该年度数据",
    "Content": "异议内容",
    "Cycle": "评选届次",
    "Record the objection": "登记异议",
    # presentation slots
    "Change time or panel (until the first score)": "修改时间或评委（首个评分前可改）",
    "Save slot": "保存场次",
    "Give the time.": "请填写时间。",
    "Scoring of this slot has started: its time and panel can no longer change.": "该场次已开始评分，时间和评委不能再修改。",
    "Presentation slot: time and panel (hold Ctrl to choose several)": "答辩场次：时间与评委（按住 Ctrl 可多选）",
    # commendation and results
    "Commendation document (.docx)": "表彰决定（.docx）",
    "Commendation document (PDF)": "表彰决定（PDF）",
    "The commendation document is produced once the cycle is closed.": "评选结束后方可生成表彰决定。",
    "Public results page": "公开结果页",
    "%(c)s: results": "%(c)s评选结果",
    "Commended by %(b)s on %(d)s (approval reference %(r)s).": "%(b)s于 %(d)s 予以表彰（批准文号：%(r)s）。",
    "No award was given.": "本届未评出获奖项目。",
    "Verify a certificate with its verification code": "凭验证码查验荣誉证书",
}
