"""Simplified Chinese for the expert review's bids of interest, tie withdrawal, per-item sheet and PDF report."""

ZH = {
    "Interested": "有意评审",
    "Willing": "可以评审",
    "Not interested": "不愿评审",
    "declared at": "申报时间",
    "withdrawn at": "撤回时间",
    "withdrawn by": "撤回人",
    "reason for withdrawal": "撤回理由",
    "experts bid for items": "专家意向申报",
    "While the round is a draft, experts of the pool mark items as interesting, acceptable or not for them; "
    "the assignment takes the bids into account.":
        "轮次为草稿时，专家库中的专家可对评审对象标注“有意评审”“可以评审”或“不愿评审”，分配专家时据此调整。",
    "bonus for “interested”": "“有意评审”加分",
    "Added to the match (0–1) of an expert and an item the expert is interested in; half of it for “willing”.":
        "专家对有意评审的对象，匹配度（0–1）加上此值；“可以评审”加一半。",
    "penalty for “not interested”": "“不愿评审”减分",
    "Subtracted from the match of an expert and an item the expert marked “not interested”.":
        "专家标为“不愿评审”的对象，匹配度减去此值。",
    "bid of interest": "评审意向",
    "bids of interest": "评审意向",
    "Between 0 and 1 (the match itself is 0–1).": "应在 0 到 1 之间（匹配度本身为 0–1）。",
    "Review result: %(item)s": "评审结果：%(item)s",
    "The review of “%(item)s” in “%(round)s” is decided. Read the scores per criterion and the experts' opinions.":
        "“%(round)s”中“%(item)s”的评审已有结论。可查看各项指标得分和专家意见。",
    "This tie was already withdrawn.": "该关联关系已撤回。",
    "Bids of interest are taken only while the round is a draft that asks for them.":
        "只有在轮次为草稿且开放意向申报时才能提交评审意向。",
    "Item %(item)s is not one you can bid on in this round.": "评审对象 %(item)s 不在本轮您可申报意向的范围内。",
    "“%(level)s” is not a bid.": "“%(level)s”不是有效的意向。",
    "Bids of interest": "评审意向",
    "%(t)s bid(s) from %(n)s expert.": "%(n)s 位专家共提交 %(t)s 条意向。",
    "The match of an expert with an item they are interested in is raised by %(b)s (half of it for “willing”), and "
    "lowered by %(h)s for “not interested”.":
        "专家有意评审的对象匹配度加 %(b)s（“可以评审”加一半），“不愿评审”的减 %(h)s。",
    "Of them assigned": "其中已分配",
    "Experts of the pool can still change their bids while the round is a draft; assign again to take new bids "
    "into account.": "轮次为草稿时专家仍可修改意向；重新分配即可采纳新的意向。",
    "Mark the items you would like to review. The department's assignment gives more weight to items you are "
    "interested in, and less to those you are not; it still balances loads and never assigns a conflicted item.":
        "请标注您希望评审的对象。分配专家时会优先考虑您有意评审的对象、尽量避开您不愿评审的对象；"
        "同时仍会平衡各专家的评审量，且绝不分配存在利益冲突的对象。",
    "Items you have a conflict of interest with are not listed.": "与您存在利益冲突的评审对象不在此列出。",
    "Bidding is closed for this round: experts have been assigned. Your bids are shown as they were.":
        "本轮意向申报已结束（已分配专家），以下为您当时的意向。",
    "Your bid": "您的意向",
    "No bid": "未申报",
    "No items to bid on.": "没有可申报意向的评审对象。",
    "Save bids": "保存意向",
    "Ties withdrawn since the conflicts were last computed:": "上次计算利益冲突以后撤回的关联关系：",
    "%(who)s, %(when)s: “%(why)s”": "%(who)s，%(when)s：“%(why)s”",
    "Experts are already assigned in this round, so its conflicts were left as they were. Recompute to apply the "
    "withdrawal (existing reviews stay; only the next assignment changes).":
        "本轮已分配专家，因此利益冲突保持不变。重新计算即可采纳撤回（已有评审不变，只影响下一次分配）。",
    "Declared ties behind these conflicts": "产生这些冲突的申报关联",
    "Declared": "申报时间",
    "Withdraw (with a reason)": "撤回（须说明理由）",
    "Withdraw this tie?": "确定撤回该关联关系？",
    "Rounds taking bids of interest": "正在征集评审意向的轮次",
    "Before experts are assigned, tell the department which items you would like to review.":
        "分配专家之前，请告诉组织部门您希望评审哪些对象。",
    "Withdrawn ties": "已撤回的关联关系",
    "A withdrawn tie no longer keeps you from items of rounds not yet assigned; rounds already assigned stay as they "
    "are until the department recomputes their conflicts.":
        "撤回的关联关系不再妨碍尚未分配轮次中的评审；已分配的轮次保持不变，直到组织部门重新计算利益冲突。",
    "Review report (PDF)": "评审报告（PDF）",
    "Experts bid for items while the round is a draft: +%(b)s to the match for “interested” (half for “willing”), "
    "−%(h)s for “not interested”.":
        "轮次为草稿时专家可申报评审意向：“有意评审”匹配度 +%(b)s（“可以评审”加一半），“不愿评审” −%(h)s。",
    "Items": "评审对象",
    "Mean of %(criterion)s": "%(criterion)s平均分",
    "Weighted mean": "加权平均分",
    "Bids saved: %(saved)s changed, %(removed)s removed.": "意向已保存：更改 %(saved)s 条，删除 %(removed)s 条。",
    "Tie withdrawn. Rounds not yet assigned take it into account now.": "关联关系已撤回，尚未分配的轮次已即时更新。",
    "In %(n)s round(s) already assigned, the administrator decides whether to recompute conflicts.":
        "在 %(n)s 个已分配的轮次中，由管理员决定是否重新计算利益冲突。",
    # panel chair
    "panel chair": "评审组长",
    "Panel chair": "评审组长",
    "Records the decision on each item (an expert of the pool or a department administrator); cannot assign experts "
    "or change the round.": "负责逐项记录评审结论（由本轮专家库中的专家或组织部门管理员担任）；不能分配专家，也不能修改轮次。",
    "No chair: department administrators decide": "不设组长：由组织部门管理员记录结论",
    "The round is decided: its panel chair can no longer change.": "本轮已公布结论，评审组长不能再更换。",
    "%(user)s can chair only as an available expert of the round's pool or as a department administrator on its "
    "branch.": "%(user)s 不能担任评审组长：组长须为本轮专家库中可用的专家，或本轮所在组织上下级的组织部门管理员。",
    "You chair the panel of “%(round)s”": "您担任“%(round)s”的评审组长",
    "Once scoring is closed, record the panel's decision on each item, with its reason, on the ranking page.":
        "评分结束后，请在排名页面逐项记录评审结论及理由。",
    "You have a conflict of interest with this item (%(reason)s): a department administrator records its decision.":
        "您与该评审对象存在利益冲突（%(reason)s），其结论由组织部门管理员记录。",
    "Panel chair saved.": "评审组长已保存。",
    "records the decision on each item (and nothing else).": "负责逐项记录评审结论（仅此一项权限）。",
    "No chair: department administrators record the decisions.": "未设评审组长：由组织部门管理员记录结论。",
    "Name a chair": "指定组长",
    "Change": "更改",
    "The panel chair records the panel's decision on each item, with its reason, once scoring is closed. The chair "
    "cannot assign experts, change the round or publish it, and cannot decide an item they have a conflict of "
    "interest with. Choose an available expert of the round's pool or a department administrator on its branch of "
    "the tree.":
        "评分结束后，评审组长逐项记录评审结论及理由。组长不能分配专家、修改或公布轮次，也不能对与自己存在利益冲突的"
        "评审对象作出结论。请从本轮专家库中的可用专家或本轮所在组织上下级的组织部门管理员中选择。",
    "(you chair the panel)": "（您是评审组长）",
    "You chair the panel of “%(t)s”: once scoring is closed, record the decision on each item with its reason. A "
    "department administrator publishes the decisions.":
        "您是“%(t)s”的评审组长：评分结束后，请逐项记录评审结论及理由。结论由组织部门管理员公布。",
    "Back to the ranking": "返回排名",
    "Panels you chair": "您担任组长的评审",
    "Once scoring is closed, record the decision on each item on the ranking page.": "评分结束后，请在排名页面逐项记录评审结论。",
    # bids entered by the administrator
    "entered by": "代录人",
    "%(expert)s is not an available expert of this round's pool.": "%(expert)s 不是本轮专家库中的可用专家。",
    "Bids entered for you: %(round)s": "已为您代录评审意向：%(round)s",
    "%(admin)s entered bids of interest on your behalf in “%(round)s” (%(saved)s changed, %(removed)s removed). "
    "Check them while bidding is open.":
        "%(admin)s 在“%(round)s”中为您代录了评审意向（更改 %(saved)s 条，删除 %(removed)s 条）。意向申报结束前请核对。",
    "Enter bids for an expert": "为专家代录意向",
    "bids of %(e)s": "%(e)s 的意向",
    "Enter the bids an expert sent you (on paper, by e-mail): pick the expert, set their bids and save. Each bid you "
    "enter is marked with your name, recorded in the audit log, and the expert is notified.":
        "代录专家（以纸质或邮件方式）报送的意向：选择专家，填写意向后保存。您代录的每条意向都会标注您的姓名、记入审计日志，"
        "并通知该专家。",
    "Choose an expert of the pool": "选择专家库中的专家",
    "Show their bids": "查看其意向",
    "entered by %(a)s": "由 %(a)s 代录",
    "Save bids for %(e)s": "保存 %(e)s 的意向",
    # declared ties of the pool
    "Experts' declared ties": "专家申报的关联关系",
    "Ties declared by the experts of your pool, in force and withdrawn. Only department administrators see this page.":
        "您专家库中各位专家申报的关联关系（含有效和已撤回的）。仅组织部门管理员可见。",
    "All experts": "全部专家",
    "All kinds": "全部类型",
    "Declared and withdrawn": "有效和已撤回",
    "Declared (in force)": "有效",
    "Withdrawn %(d)s by %(who)s: “%(why)s”": "%(d)s 由 %(who)s 撤回：“%(why)s”",
    "In force": "有效",
    "No declared ties.": "没有申报的关联关系。",
    "A person outside your organizations": "您管辖范围以外的人员",
}

ZH_CTX = {
    ("bid of interest", "Bid"): "意向",
    ("bid of interest", "Bids"): "意向数",
    ("tie", "Withdrawn"): "撤回时间",
}
