"""Simplified Chinese for the home page's to-do list (待办事项) and the apps' to-do lines."""

ZH = {
    "To do": "待办事项",
    "Nothing waiting for you.": "暂无待办事项。",
    "%(n)s overdue": "逾期 %(n)s 项",
    # reviews
    "Reviews to submit": "待提交的评审",
    "Open review rounds with late reviews": "有逾期未评的评审轮次",
    # awards
    "Objections to answer": "待答复的异议",
    "Presentations to score": "待打分的现场陈述",
    "Online votes to cast": "待参加的网络投票",
    "Award cycles open for your nominations": "可申报的评选（尚未申报）",
    "Draft nominations to submit": "待提交的申报草稿",
    # topics
    "Open calls you can bid on": "可参与投标的招标公告",
    "Team invitations to answer": "待答复的团队邀请",
    "Topic proposals to decide": "待处理的选题建议",
    "Bids to screen": "待资格审查的投标",
    # projects
    "Milestones due or overdue": "即将到期或逾期的里程碑",
    "Projects you guide with overdue milestones": "联系指导的项目中有逾期里程碑",
    "Change and extension requests to decide": "待审批的变更和延期申请",
    # cases
    "Cases to review": "待审核的案例",
    "Reviewed cases to publish": "待发布的已审核案例",
    "Brand applications to screen or recognize": "待审查或认定的品牌申报",
    # meetings
    "Your follow-up actions": "我负责的会议落实事项",
    "Open follow-up actions in your organizations": "所管组织未完成的会议落实事项",
}
