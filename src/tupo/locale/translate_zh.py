"""Fill src/tupo/locale/zh_Hans/LC_MESSAGES/django.po from the dictionary below.

Usage (from src/tupo):
    ../../.venv/bin/python locale/translate_zh.py            # translate the .po only
    ../../.venv/bin/python locale/translate_zh.py --all      # makemessages, translate, compilemessages

Needs polib (``pip install polib``).  Every msgid of the .po should have an entry in ``ZH``;
the script lists any msgid that stays untranslated (or fuzzy) and exits 1 if there is one.
Plural entries: the value is the single Chinese form (nplurals=1), written to msgstr[0].
A value may also be a ``{"msgctxt": ...}``-keyed override in ``ZH_CTX`` for pgettext strings.

Terminology (organization department usage): Organization → 党组织, organization code → 组织代码,
People → 人员, members → 党员, host unit → 所在单位, division code → 行政区划代码, term → 任期,
post → 党内职务, Basic data → 底数统计, Tupo → 突破.
"""
from __future__ import annotations

import datetime
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PO_PATH = HERE / "zh_Hans" / "LC_MESSAGES" / "django.po"
MANAGE = HERE.parent.parent.parent / ".venv" / "bin" / "tupo"

ZH: dict[str, str] = {
    # --- accounts: roles ------------------------------------------------------------------------
    "Accounts": "账号管理",
    "Department administrator": "组织部管理员",
    "Organization administrator": "党组织管理员",
    "Member / cadre": "党员/干部",
    "Review expert": "评审专家",
    "Liaison leader": "联系领导",
    "Leader (view only)": "领导（只读）",
    "System administrator": "系统管理员",
    "Security administrator": "安全管理员",
    "Audit administrator": "审计管理员",
    # --- accounts: forms --------------------------------------------------------------------------
    "User name": "用户名",
    "Password": "密码",
    "Six-digit code from your authenticator app": "身份验证器应用显示的 6 位验证码",
    "Current password": "当前密码",
    "New password": "新密码",
    "New password again": "确认新密码",
    "The two new passwords differ.": "两次输入的新密码不一致。",
    # "Name" is shared by people, organizations, tokens and holidays (no msgctxt in the source):
    # 名称 reads correctly for all but people, where 姓名 would be better.
    "Name": "名称",
    "Valid for (days)": "有效期（天）",
    "Display name": "显示名称",
    "Email": "电子邮箱",
    "Initial password": "初始密码",
    "The user must change it at first login.": "用户首次登录时必须修改。",
    "New initial password": "新的初始密码",
    "Role": "角色",
    "Organization code": "组织代码",
    "Leave empty for the system, security and audit administrators.": "系统管理员、安全管理员和审计管理员无需填写。",
    "No such user.": "用户不存在。",
    "No organization has this code.": "没有使用该组织代码的党组织。",
    # --- accounts: models -------------------------------------------------------------------------
    "display name": "显示名称",
    "person record": "人员档案",
    "password changed at": "密码修改时间",
    "must change password": "须修改密码",
    "user": "用户",
    "users": "用户",
    "role": "角色",
    "organization": "党组织",
    "granted by": "授权人",
    "granted at": "授权时间",
    "role grant": "角色授权",
    "name": "名称",
    "prefix": "前缀",
    "created at": "创建时间",
    "expires at": "过期时间",
    "last used at": "最近使用时间",
    "revoked at": "吊销时间",
    "API token": "API 令牌",
    "minimum password length": "密码最小长度",
    "character classes required": "须包含的字符类别数",
    "password maximum age (days)": "密码最长有效期（天）",
    "previous passwords not reusable": "不可重复使用的历史密码个数",
    "failed logins before lockout": "锁定前允许的登录失败次数",
    "lockout duration (minutes)": "锁定时长（分钟）",
    "idle logout (minutes)": "空闲自动退出（分钟）",
    "require two-factor login for every account": "所有账号均须双因素登录",
    "security policy": "安全策略",
    # --- accounts: validation and messages -------------------------------------------------------
    "This user name is taken.": "该用户名已被使用。",
    "You cannot disable your own account.": "不能停用自己的账号。",
    "The three administrators are granted system-wide, not at an organization.":
        "系统管理员、安全管理员和审计管理员在全系统范围内授权，不针对某个党组织。",
    "%(user)s already holds “%(held)s”: one account may not hold two of the system, security and audit administrator roles.":
        "%(user)s 已担任“%(held)s”：同一账号不得同时担任系统管理员、安全管理员、审计管理员中的两个角色。",
    "Choose the organization where this role applies.": "请选择该角色适用的党组织。",
    "This role is already granted there.": "已在该党组织授予此角色。",
    "The current password is wrong.": "当前密码不正确。",
    "The baseline requires at least 8 characters and three character classes.":
        "安全基线要求密码至少 8 位，并包含三类字符。",
    "The password must have at least %(n)d character.": "密码长度至少为 %(n)d 位。",
    "The password must mix at least %(n)d of: lower-case letters, upper-case letters, digits, symbols.":
        "密码须至少包含以下字符中的 %(n)d 类：小写字母、大写字母、数字、符号。",
    "At least 8 characters mixing three of: lower-case, upper-case, digits, symbols.":
        "至少 8 位，须包含小写字母、大写字母、数字、符号中的三类。",
    "The password must differ from your last %(n)d passwords.": "新密码不得与最近 %(n)d 次使用过的密码相同。",
    "It must differ from your last five passwords.": "不得与最近 5 次使用过的密码相同。",
    "Wrong user name or password.": "用户名或密码错误。",
    "Too many wrong codes. Log in again.": "验证码错误次数过多，请重新登录。",
    "The code is wrong or has expired.": "验证码错误或已过期。",
    "Your password has been changed.": "密码已修改。",
    "Two-factor login is on.": "双因素登录已开启。",
    "Token revoked.": "令牌已吊销。",
    "Account created.": "账号已创建。",
    "Password reset; the user must change it at next login.": "密码已重置，用户下次登录时必须修改。",
    "Role granted.": "角色已授予。",
    "Role revoked.": "角色已撤销。",
    "Security policy saved.": "安全策略已保存。",
    "Account unlocked.": "账号已解锁。",
    # --- apps, settings ---------------------------------------------------------------------------
    "Analytics": "统计分析",
    "Simplified Chinese": "简体中文",
    "English": "英文",
    "Core": "核心",
    # --- core: audit ------------------------------------------------------------------------------
    "Success": "成功",
    "Failure": "失败",
    "Denied": "拒绝",
    "Home": "首页",
    "Organizations": "党组织",
    "People": "人员",
    "Basic data": "底数统计",
    "Import": "导入",
    "Working-day calendar": "工作日历",
    "Roles": "角色授权",
    "Security policy": "安全策略",
    "Audit log": "审计日志",
    "Object or keyword": "对象或关键词",
    "User": "用户",
    "Event type": "事件类型",
    "Result": "结果",
    "All": "全部",
    "From": "起始日期",
    "Until": "截止日期",
    "time": "时间",
    "user name": "用户名",
    "source address": "来源地址",
    "event type": "事件类型",
    "object type": "对象类型",
    "object id": "对象 ID",
    "object": "对象",
    "result": "结果",
    "details": "详情",
    "audit event": "审计事件",
    "audit events": "审计事件",
    # --- core: calendar ---------------------------------------------------------------------------
    "year": "年份",
    "source document": "依据文件",
    "calendar year": "日历年度",
    "date": "日期",
    "working day": "工作日",
    "calendar override": "日历调整",
    "Someone else changed this record after you opened it. Nothing was saved: reload to see their change.":
        "您打开此记录后，其他人已修改了它。本次未保存任何内容，请刷新页面查看最新修改。",
    "You may view this but not change it.": "您只能查看，不能修改。",
    "Calendar date saved.": "日历日期已保存。",
    "Please correct the date: %(errors)s": "请更正日期：%(errors)s",
    "Year marked as entered.": "该年度已标记为录入完成。",
    # --- orgs: choices ----------------------------------------------------------------------------
    "Organizations and people": "党组织和人员",
    "Local Party committee": "地方党委",
    "Working committee": "工作委员会",
    "Grassroots Party committee": "基层党委",
    "General Party branch": "党总支",
    "Party branch": "党支部",
    "Joint Party branch": "联合党支部",
    "State-owned enterprise": "国有企业",
    "Private enterprise": "非公有制企业",
    "Rural (village)": "农村（行政村）",
    "Party or government organ": "党政机关",
    "School": "学校",
    "Other public institution": "其他事业单位",
    "Street or community": "街道社区",
    "Social organization": "社会组织",
    "Other": "其他",
    "Same unit as the parent organization": "与上级党组织同一单位",
    "Independent legal entity": "独立法人单位",
    "Several units (joint)": "多个单位（联合）",
    "Male": "男",
    "Female": "女",
    "Probationary member": "预备党员",
    "Full member": "正式党员",
    "Lost contact": "失联党员",
    "Not a Party member": "非党员",
    "Postgraduate": "研究生",
    "University": "大学本科",
    "College": "大学专科",
    "Secondary school": "高中（中专）",
    "Junior school or below": "初中及以下",
    "Worker": "工人",
    "Farmer, herdsman or fisherman": "农牧渔民",
    "Enterprise management or technical staff": "企业管理或专业技术人员",
    "Public institution staff": "事业单位工作人员",
    "Party or government organ staff": "党政机关工作人员",
    "Student": "学生",
    "Retired": "离退休人员",
    "Other occupation": "其他职业人员",
    "Secretary": "书记",
    "Deputy secretary": "副书记",
    "Organization committee member": "组织委员",
    "Propaganda committee member": "宣传委员",
    "Discipline committee member": "纪检委员",
    "Committee member": "委员",
    "Record created": "建立档案",
    "Transferred": "组织关系转接",
    "Status changed": "状态变更",
    "Post changed": "党内职务变动",
    # --- orgs: forms ------------------------------------------------------------------------------
    "A division code has 6, 9 or 12 digits (GB/T 2260).": "行政区划代码应为 6 位、9 位或 12 位数字（GB/T 2260）。",
    "The term must end after it starts.": "任期届满日期必须晚于任期开始日期。",
    "Read from the ID number if left empty.": "留空时从公民身份号码中读取。",
    "Destination organization code": "转入党组织的组织代码",
    "Reason": "原因",
    "New status": "新状态",
    "ID number of the person": "人员的公民身份号码",
    "Post": "党内职务",
    "Started on": "任职日期",
    "Members": "党员",
    "What the file holds": "文件内容",
    "Excel file (.xlsx)": "Excel 文件（.xlsx）",
    "Status": "状态",
    "ID number": "公民身份号码",
    "Ethnicity": "民族",
    "Native place": "籍贯",
    "Education": "学历",
    "Occupation": "职业",
    "Job title": "职务",
    "Cadre": "干部",
    "Joined the Party on": "入党日期",
    "Full membership on": "转正日期",
    "Phone": "联系电话",
    "Parent organization code": "上级组织代码",
    "Organization type": "组织类型",
    "Organization category": "组织类别",
    "Host unit": "所在单位",
    "Host unit relation": "与所在单位关系",
    "Division code": "行政区划代码",
    "Established on": "成立日期",
    "Term start": "任期开始日期",
    "Term end": "任期届满日期",
    # --- orgs: importing --------------------------------------------------------------------------
    "Import errors": "导入错误",
    "Row": "行号",
    "Column": "列",
    "Fill one row per record from row 2 of the Data sheet and keep its header row.":
        "从“数据”工作表第 2 行起每行填写一条记录，并保留表头行。",
    "Write dates as 2001-07-01 and format the ID-number column as text.":
        "日期请按 2001-07-01 格式填写，公民身份号码列请设置为文本格式。",
    "Birth date and sex are read from the ID number.": "出生日期和性别从公民身份号码中读取。",
    "Data": "数据",
    "Instructions": "填写说明",
    "Allowed values": "可选值",
    "The file is %(size).1f MB; the limit is %(limit).0f MB. Split it into smaller files.":
        "文件大小为 %(size).1f MB，上限为 %(limit).0f MB，请拆分为较小的文件。",
    "This is not an Excel .xlsx file. Save it as “Excel Workbook (.xlsx)” and try again.":
        "这不是 Excel .xlsx 文件。请另存为“Excel 工作簿 (.xlsx)”后重试。",
    "The file unpacks to an implausible size; it was not read.": "文件解压后的大小异常，未予读取。",
    "The sheet has merged cells (%(cells)s). Unmerge them so every row holds one complete record.":
        "工作表中有合并单元格（%(cells)s）。请取消合并，使每一行都是一条完整记录。",
    "The Excel file is damaged and cannot be read (%(error)s).": "Excel 文件已损坏，无法读取（%(error)s）。",
    "The sheet is empty: the first row must be the header row of the template.": "工作表为空：第一行必须是模板的表头行。",
    "missing columns: %(cols)s": "缺少列：%(cols)s",
    "unknown columns: %(cols)s": "无法识别的列：%(cols)s",
    "The header row does not match the template (%(detail)s). Download the template and copy your data into it.":
        "表头行与模板不一致（%(detail)s）。请下载模板，并将数据复制到模板中。",
    "The file has more than %(n)d rows; split it.": "文件超过 %(n)d 行，请拆分。",
    "“%(v)s” is not a date: write it as 2001-07-01.": "“%(v)s”不是有效日期，请按 2001-07-01 格式填写。",
    "“%(v)s” is not one of: %(allowed)s": "“%(v)s”不在可选值范围内：%(allowed)s",
    "Unknown organization code “%(c)s”, or outside the organizations you manage.":
        "组织代码“%(c)s”不存在，或不在您管理的党组织范围内。",
    "The ID number is stored as a number and has lost digits: format the column as text.":
        "公民身份号码被存储为数字，已丢失位数：请将该列设置为文本格式。",
    "The same ID number is already on row %(r)d of this file.": "本文件第 %(r)d 行已有相同的公民身份号码。",
    "A person with this ID number is already registered.": "该公民身份号码的人员已登记。",
    "This column is required.": "此列为必填项。",
    "The same code is already on row %(r)d of this file.": "本文件第 %(r)d 行已有相同的组织代码。",
    "An organization with this code already exists.": "使用该组织代码的党组织已存在。",
    "Unknown parent code “%(c)s”, or outside the organizations you manage.":
        "上级组织代码“%(c)s”不存在，或不在您管理的党组织范围内。",
    "The parent codes form a loop.": "上级组织代码形成了循环引用。",
    # --- orgs: models -----------------------------------------------------------------------------
    "organization code": "组织代码",
    "parent": "上级党组织",
    "organization type": "组织类型",
    "organization category": "组织类别",
    "host unit": "所在单位",
    "host unit relation": "与所在单位关系",
    "division code": "行政区划代码",
    "secretary": "书记",
    "established on": "成立日期",
    "term start": "任期开始日期",
    "term end": "任期届满日期",
    "organizations": "党组织",
    "sex": "性别",
    "ethnicity": "民族",
    "birth date": "出生日期",
    "native place": "籍贯",
    "education": "学历",
    "occupation": "职业",
    "job title": "职务",
    "cadre": "干部",
    "joined the Party on": "入党日期",
    "full membership on": "转正日期",
    "phone": "联系电话",
    "status": "状态",
    "person": "人员",
    "people": "人员",
    "reason": "原因",
    "post": "党内职务",
    "started on": "任职日期",
    "ended on": "离任日期",
    # --- orgs: statistics -------------------------------------------------------------------------
    "Organizations by type": "党组织（按组织类型）",
    "Organizations by category": "党组织（按组织类别）",
    "People by sex": "人员（按性别）",
    "People by age band (age = %(year)s − birth year)": "人员（按年龄段，年龄 = %(year)s − 出生年份）",
    "People by education": "人员（按学历）",
    "People by occupation": "人员（按职业）",
    "People by year of joining the Party": "人员（按入党年份）",
    "Probationary and full members": "预备党员和正式党员",
    # --- orgs: services and validation -----------------------------------------------------------
    "The name is required.": "名称为必填项。",
    "This date is in the future.": "该日期晚于今天。",
    "Full membership cannot come before joining.": "转正日期不能早于入党日期。",
    "A person joins the Party at 18 or older.": "入党时须年满 18 周岁。",
    "A probationary member has no full-membership date yet.": "预备党员尚无转正日期。",
    "A Party member needs a joining date.": "党员须填写入党日期。",
    "Change the status with the status action, which records a reason.":
        "请通过“变更状态”操作修改状态，系统会同时记录原因。",
    "Give the reason for the transfer.": "请填写转接原因。",
    "The person is already registered in this organization.": "该人员已在本党组织登记。",
    "transferred": "组织关系转出",
    "A person cannot go from “%(a)s” to “%(b)s”.": "人员状态不能从“%(a)s”变更为“%(b)s”。",
    "Give the reason for the change.": "请填写变更原因。",
    "Only a person registered in this organization or below can hold its post.":
        "只有在本党组织或其下级党组织登记的人员才能在本党组织任职。",
    "replaced": "由他人接任",
    "This post has already ended.": "该任职已结束。",
    "import": "批量导入",
    "The ID number is required.": "公民身份号码为必填项。",
    "An ID number has 18 characters; this one has %(n)d.": "公民身份号码应为 18 位，此号码为 %(n)d 位。",
    "An ID number is 17 digits followed by a digit or X.": "公民身份号码由 17 位数字加 1 位数字或 X 组成。",
    "The birth date inside the ID number is not a real date.": "公民身份号码中的出生日期不是有效日期。",
    "The check digit of the ID number is wrong (GB 11643): please check for a typo.":
        "公民身份号码的校验码不正确（GB 11643），请检查是否输入有误。",
    "The birth date inside the ID number is not plausible.": "公民身份号码中的出生日期不合理。",
    "The birth date does not match the ID number (%(date)s).": "出生日期与公民身份号码不符（%(date)s）。",
    "The sex does not match the ID number.": "性别与公民身份号码不符。",
    "Enter an 11-digit mobile number or a landline number with area code.": "请输入 11 位手机号码或带区号的固定电话号码。",
    # --- orgs: views ------------------------------------------------------------------------------
    "Organization saved.": "党组织信息已保存。",
    "Edit organization": "编辑党组织",
    "Organization created.": "党组织已创建。",
    "New sub-organization": "新建下级党组织",
    "Sex": "性别",
    "Birth date": "出生日期",
    "Organization": "党组织",
    "Person added.": "人员已添加。",
    "Add a person": "新增人员",
    "Person saved.": "人员信息已保存。",
    "Edit person": "编辑人员信息",
    "No organization with this code among those you can see.": "在您可查看的党组织中，没有使用该组织代码的党组织。",
    "Transferred to %(org)s.": "组织关系已转至%(org)s。",
    "Give the destination code and the reason.": "请填写转入党组织的组织代码和转接原因。",
    "Status changed.": "状态已变更。",
    "Choose the new status and give the reason.": "请选择新状态并填写原因。",
    "No person with this ID number among those you can see.": "在您可查看的人员中，没有该公民身份号码的人员。",
    "Post assigned.": "任职已登记。",
    "Imported %(n)d records.": "已导入 %(n)d 条记录。",
    "Item": "项目",
    "Count": "数量",
    # --- templates: errors ------------------------------------------------------------------------
    "Not allowed": "无权操作",
    "You may view this but not change it. The attempt has been recorded.": "您只能查看，不能修改。本次操作已被记录。",
    "Back to the home page": "返回首页",
    "Not found": "页面不存在",
    "This page does not exist, or you do not have access to it.": "该页面不存在，或您无权访问。",
    # --- templates: accounts ----------------------------------------------------------------------
    "A role granted at an organization applies to its whole subtree. One account may hold at most one of the system, security and audit administrator roles.":
        "在某个党组织授予的角色适用于该党组织及其全部下级。同一账号最多只能担任系统管理员、安全管理员、审计管理员中的一个角色。",
    "Grant a role": "授予角色",
    "Grant": "授予",
    "Search": "搜索",
    "Granted by": "授权人",
    "Granted at": "授权时间",
    "Revoke this role?": "确定撤销此角色？",
    "Revoke": "撤销",
    "Account locked": "账号已锁定",
    "Too many failed logins. Try again in %(minutes)s minutes, or ask the security administrator to unlock the account.":
        "登录失败次数过多。请 %(minutes)s 分钟后重试，或请安全管理员解锁账号。",
    "Back to login": "返回登录",
    "Log in": "登录",
    "Log in to Tupo": "登录突破平台",
    "After 5 wrong passwords the account is locked for 15 minutes. Administrators also enter a code from their authenticator app.":
        "密码连续输错 5 次，账号将锁定 15 分钟。管理员还须输入身份验证器应用中的验证码。",
    "Two-factor login": "双因素登录",
    "Your role requires a second factor: set it up to continue.": "您的角色要求使用第二因素认证，请完成设置后继续。",
    "Two-factor login is on for your account.": "您的账号已开启双因素登录。",
    "Open an authenticator app (TOTP) on your phone and scan this code, or type the key below.":
        "请在手机上打开身份验证器应用（TOTP），扫描此二维码，或手动输入下方密钥。",
    "Enter the six-digit code the app shows.": "请输入应用显示的 6 位验证码。",
    "Key": "密钥",
    "Turn on": "开启",
    "Second factor": "第二因素认证",
    "Enter your authenticator code": "请输入身份验证器验证码",
    "Verify": "验证",
    "Change password": "修改密码",
    "Your password has expired or was set by an administrator: choose a new one to continue.":
        "您的密码已过期或由管理员设置，请设置新密码后继续。",
    "Save": "保存",
    "Password rules, lockout and idle logout. The three administrators always log in with a second factor.":
        "密码规则、账号锁定和空闲自动退出。系统管理员、安全管理员和审计管理员始终须使用第二因素登录。",
    "Save policy": "保存策略",
    "Failed logins and lockouts": "登录失败与账号锁定",
    "Unlock": "解锁",
    "Source address": "来源地址",
    "Failures": "失败次数",
    "Last attempt": "最近一次尝试",
    "No failed logins on record.": "暂无登录失败记录。",
    "API tokens": "API 令牌",
    "Use a token as “Authorization: Bearer …” with the JSON API at /api/v1/.":
        "调用 /api/v1/ 的 JSON API 时，请以“Authorization: Bearer …”方式携带令牌。",
    "API documentation": "API 文档",
    "Copy this token now; it will not be shown again:": "请立即复制此令牌，它将不再显示：",
    "New token": "新建令牌",
    "Create": "创建",
    "Your tokens": "我的令牌",
    "Prefix": "前缀",
    "Created": "创建时间",
    "Expires": "过期时间",
    "Last used": "最近使用",
    "Revoked": "已吊销",
    "Revoke this token?": "确定吊销此令牌？",
    "No tokens yet.": "暂无令牌。",
    "The system administrator creates, disables and resets accounts; roles are granted by the security administrator.":
        "系统管理员负责创建、停用和重置账号；角色由安全管理员授予。",
    "New account": "新建账号",
    "Create account": "创建账号",
    "Last login": "最近登录",
    "State": "状态",
    "Actions": "操作",
    "Active": "正常",
    "Disabled": "已停用",
    "Disable": "停用",
    "Enable": "启用",
    "new password": "新密码",
    "Reset": "重置",
    # --- templates: base --------------------------------------------------------------------------
    "Tupo": "突破",
    "Organizational work innovation platform": "组织工作创新平台",
    "Log out": "退出登录",
    "Main navigation": "主导航",
    # --- templates: audit -------------------------------------------------------------------------
    "Append-only and hash-chained: nobody can edit or delete these rows.": "只增不改，哈希链式存证：任何人都无法修改或删除这些记录。",
    "Verify the chain": "校验哈希链",
    "Export to Excel": "导出 Excel",
    "Verify the audit chain": "校验审计哈希链",
    "The chain is intact: %(n)s events checked.": "哈希链完整：已校验 %(n)s 条事件。",
    "The chain is broken at event %(id)s (after %(n)s good events).": "哈希链在第 %(id)s 号事件处断裂（此前 %(n)s 条事件正常）。",
    "Back to the audit log": "返回审计日志",
    # --- templates: calendar ----------------------------------------------------------------------
    "Every deadline counted in working days uses this calendar. Years after the built-in data must be entered from the State Council's holiday notice.":
        "所有按工作日计算的期限均以此日历为准。内置数据之后的年份，须根据国务院办公厅发布的节假日安排通知录入。",
    "holiday data known": "已有节假日数据",
    "missing: enter this year's holidays": "缺失：请录入本年度节假日",
    "Add a holiday or make-up working day": "添加节假日或调休上班日",
    "Save date": "保存日期",
    "Mark a year as entered": "标记年度录入完成",
    "First enter every holiday and make-up working day of the year; then mark it entered. Weekdays are working days unless overridden.":
        "请先录入该年度全部节假日和调休上班日，再标记为录入完成。除另行调整外，周一至周五均为工作日。",
    "Mark entered": "标记为录入完成",
    "None yet.": "暂无。",
    "Overrides": "调整记录",
    "Date": "日期",
    "Kind": "类型",
    "Working day": "工作日",
    "Holiday": "节假日",
    # --- templates: home --------------------------------------------------------------------------
    "Welcome, %(name)s": "欢迎您，%(name)s",
    "No role has been granted to this account yet: ask the security administrator.": "该账号尚未被授予任何角色，请联系安全管理员。",
    "People on the register": "在册人员",
    "Terms ending within 6 months": "6 个月内任期届满",
    "Organizations without a secretary": "未配备书记的党组织",
    "Where to start": "快捷入口",
    "Basic data dashboard": "底数统计看板",
    "My record": "我的信息",
    "Open my record": "查看我的信息",
    "System administration": "系统管理",
    "Recent failed logins": "近期登录失败",
    "Latest audit events": "最新审计事件",
    "Open the audit log": "查看审计日志",
    "Time": "时间",
    "Object": "对象",
    "Details": "详情",
    "No events.": "暂无事件。",
    # --- templates: pagination --------------------------------------------------------------------
    "Pages": "分页",
    "Previous": "上一页",
    "Page %(n)s of %(total)s": "第 %(n)s 页，共 %(total)s 页",
    "more than 10,000 rows: narrow the filter": "超过 10000 行：请缩小筛选范围",
    "Next": "下一页",
    # --- templates: orgs --------------------------------------------------------------------------
    "Basic data: %(name)s": "底数统计：%(name)s",
    "This organization and everything below it, as of %(d)s.": "本党组织及其全部下级，截至 %(d)s。",
    "Organization page": "党组织页面",
    "Show as a table": "以表格显示",
    "No data.": "暂无数据。",
    "Terms ending soon": "任期即将届满",
    "overdue": "已逾期",
    "None.": "无。",
    "%(n)s in all; the first 20 are shown.": "共 %(n)s 个，仅显示前 20 个。",
    "code": "组织代码",
    "All people below": "下属全部人员",
    "Export organizations": "导出党组织",
    "Edit": "编辑",
    "The term ended on %(d)s: the election is overdue.": "任期已于 %(d)s 届满，换届选举已逾期。",
    "The term ends on %(d)s: prepare the election (reminder 6 months ahead).":
        "任期将于 %(d)s 届满，请做好换届选举准备（提前 6 个月提醒）。",
    "Organizations in this subtree": "本级及下级党组织",
    "People in this subtree": "本级及下级人员",
    "Registered here directly": "直接在本组织登记",
    "Facts": "基本信息",
    "none": "无",
    "Established": "成立日期",
    "Term": "任期",
    "Leadership team": "领导班子",
    "since %(d)s": "自 %(d)s 起",
    "End this post today?": "确定今天离任此职务？",
    "End": "离任",
    "No leadership posts recorded.": "尚未登记领导班子成员。",
    "Assign a post": "登记任职",
    "Sub-organizations": "下级党组织",
    "Members registered here": "在本组织登记的党员",
    "Nobody is registered directly in this organization.": "本党组织没有直接登记的人员。",
    "See all %(n)s": "查看全部 %(n)s 人",
    "Import from Excel": "从 Excel 导入",
    "Every row is checked first. If any row is wrong, nothing is written and you get a list of what to fix.":
        "系统会先逐行校验。只要有一行有误，就不会写入任何数据，并列出需要更正的问题。",
    "Members template": "党员导入模板",
    "Organizations template": "党组织导入模板",
    "Check and import": "校验并导入",
    "All rows were valid: %(n)s records imported.": "全部行校验通过：已导入 %(n)s 条记录。",
    "%(e)s problems in %(r)s rows: nothing was imported.": "%(r)s 行中存在 %(e)s 个问题，未导入任何数据。",
    "Download the error report (.xlsx)": "下载错误报告（.xlsx）",
    "Only the first 200 problems are shown; the report has them all.": "仅显示前 200 个问题，错误报告中包含全部问题。",
    "Cancel": "取消",
    "Expand": "展开",
    "No secretary": "未配备书记",
    "%(o)s organizations · %(p)s people": "%(o)s 个党组织 · %(p)s 人",
    "No sub-organizations.": "没有下级党组织。",
    "Nobody matches.": "没有符合条件的人员。",
    "In %(name)s and below": "%(name)s 及其下级",
    "Everyone in your organizations": "您所管党组织的全部人员",
    "ID and phone numbers are masked unless your role needs them.": "除非您的角色需要，公民身份号码和电话号码均作脱敏显示。",
    "Filter": "筛选",
    "Record": "基本信息",
    "age %(a)s": "%(a)s 岁",
    "Posts": "党内职务",
    "History": "变动记录",
    "Transfer to another organization": "转接组织关系",
    "Transfer": "转接",
    "Change status": "变更状态",
    "The ID number is checked (GB 11643); birth date and sex are read from it.":
        "系统将校验公民身份号码（GB 11643），并从中读取出生日期和性别。",
    "No organization is in your scope.": "您的管理范围内没有党组织。",
}

# pgettext strings: (msgctxt, msgid) -> msgstr
ZH_CTX: dict[tuple[str, str], str] = {}

HEADER = {
    "Project-Id-Version": "tupo",
    "Last-Translator": "Tupo team",
    "Language-Team": "Simplified Chinese (zh_Hans)",
    "Language": "zh_Hans",
    "Plural-Forms": "nplurals=1; plural=0;",
}

PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{\{\s*\w+\s*\}\}")


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


def lookup(entry):
    if entry.msgctxt is not None:
        return ZH_CTX.get((entry.msgctxt, entry.msgid))
    return ZH.get(entry.msgid)


def translate(po_path: Path = PO_PATH) -> int:
    try:
        import polib
    except ImportError:  # pragma: no cover
        sys.exit("translate_zh.py needs polib: .venv/bin/pip install polib")
    po = polib.pofile(str(po_path), wrapwidth=79)
    po.header = "Simplified Chinese translation of Tupo (突破).\nGenerated by locale/translate_zh.py: edit the dictionary there, not this file."
    po.metadata.update(HEADER)
    po.metadata["PO-Revision-Date"] = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M%z")
    po.metadata_is_fuzzy = False
    done, missing, problems = 0, [], []
    for entry in po:
        if entry.obsolete:
            continue
        zh = lookup(entry)
        if zh is None:
            has_text = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
            if not has_text or entry.fuzzy:
                missing.append(entry)
            continue
        want = placeholders(entry.msgid)
        if placeholders(zh) != want:
            problems.append(f"placeholders differ for {entry.msgid!r}: {want} vs {placeholders(zh)}")
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: zh}
        else:
            entry.msgstr = zh
        if entry.fuzzy:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        done += 1
    po.save(str(po_path))
    print(f"{done} entries translated from the dictionary, {len(po)} in the catalogue.")
    used = {e.msgid for e in po if e.msgctxt is None}
    unused = [k for k in ZH if k not in used]
    if unused:
        print(f"{len(unused)} dictionary entries no longer in the catalogue (kept for reuse):")
        for k in unused:
            print("  unused:", repr(k))
    for p in problems:
        print("PROBLEM:", p)
    for e in missing:
        print("UNTRANSLATED" + (" (fuzzy)" if e.fuzzy else "") + ":", repr(e.msgid),
              "|", ", ".join(f"{f}:{n}" for f, n in e.occurrences[:3]))
    return 1 if (missing or problems) else 0


def main() -> int:
    run_all = "--all" in sys.argv[1:]
    cwd = HERE.parent
    if run_all:
        subprocess.run([str(MANAGE), "makemessages", "-l", "zh_Hans", "--no-obsolete", "-i", "methods/*"],
                       cwd=cwd, check=True)
    status = translate()
    if run_all:
        subprocess.run([str(MANAGE), "compilemessages", "-l", "zh_Hans"], cwd=cwd, check=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
