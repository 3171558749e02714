"""The built-in Chinese stop list of the keyword analysis.

Administrators add to it with stop words (停用词) in the dictionary, and take a built-in word
out of it by adding the same word as a place or governance term. The seed governance terms
(REFERENCE §6 classes, as residents and grid workers write them) are in migration
``stats/migrations/0002_seed_keywords.py``.
"""

# 停用词: words that say nothing about what is asked (single characters are dropped anyway).
STOP_WORDS = frozenset("""
我们 你们 他们 她们 它们 自己 大家 这个 那个 这些 那些 这里 那里 这边 那边 这样 那样 这种 那种
什么 怎么 怎样 为何 为什么 哪里 哪些 如何 是否 有没有 是不是 能否 可否
一个 一些 一下 一直 一般 一点 一起 一次 一样 已经 还是 还有 但是 而且 并且 因为 所以 如果
虽然 然后 或者 以及 以上 以下 之后 之前 以后 以前 当时 现在 目前 最近 近期 近日 今天 昨天
明天 每天 天天 经常 常常 多次 反复 长期 长时间 一段时间 晚上 白天 早上 上午 下午 凌晨 夜间
深夜 时候 期间 时间 左右 附近 周边 旁边 对面 门口 前面 后面 里面 外面 上面 下面 中间 地方
位置 区域 问题 情况 事情 现象 方面 方式 部分 相关 有关 关于 对于 进行 出现 发生 发现 存在
造成 导致 影响 严重 非常 比较 特别 十分 很多 许多 较多 不少 所有 全部 没有 不是 不能 不会
不要 不好 可以 可能 能够 需要 应该 必须 希望 要求 请求 恳请 建议 反映 反应 投诉 举报 咨询
来电 来电人 来电者 来信 市民 居民 群众 住户 业主 本人 诉求 表示 称其 称有 告知 提出 处理
解决 尽快 及时 马上 立即 协调 帮忙 帮助 联系 核实 查看 查处 整改 管理 部门 有关部门 相关部门
工作人员 单位 网格员 上报 事件 问题描述 地址 位于 所在 该处 此处 该处有 其中 其他 另外
就是 只是 也是 都是 还是 都有 还有 没人 有人 无人 多人 给予 得到 受到 对此 为此 由于 因此
以免 以防 以便 避免 担心 严重影响 正常 一直没有 至今 仍然 依然 还在 再次 多次反映
社区 小区 作为 很大 很多 昨日 今日 频繁 发生 一带 沿线 路段 路口 路边 地段
""".split())
