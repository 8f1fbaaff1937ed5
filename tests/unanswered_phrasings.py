"""Labelled phrasings for grouping: several ways workers ask each of a few topics, and unrelated one-offs.

Written for this test, not taken from knowledge/ or any evaluation set. Topics that share a frame on
purpose (公积金 / 社保 / 押金 of a dorm and of a uniform) are the hard cases: they must stay apart.

How SIMILAR_FROM and IDF_POWER (bot/store/similar.py) were chosen: character 1-3-grams and 1-2-grams,
IDF from these rows alone or also from the knowledge base's questions, IDF to the power 1-3, average,
complete and single linkage, every cut from 0.05 to 0.30. Plain TF-IDF on the rows alone lets the frame
"公司不给交…怎么办" join 公积金 and 社保 at every cut that groups anything. With 1-2-grams, knowledge-base
IDF cubed and average linkage, groups mix topics below 0.15 (公积金/社保 up to 0.14, 你是机器人吗/你好
up to 0.12) and never from 0.15; 0.15-0.17 give the same groups, so the cut is 0.16, in the middle.
There, retypes join their originals and topics of five or more phrasings have a group of two or
three, but each such topic is still 3-5 groups (platform 5 groups for 7 phrasings, housing fund 5/7,
income tax 4/6, dormitory 3/5, retirement 3/5; the four uniform-deposit phrasings stay apart): lexical
grouping merges what shares the topic's words, not what says it in other words.
"""

PHRASINGS: dict[str, list[str]] = {
    "platform": [
        "送外卖的骑手算不算劳动关系",
        "我在美团跑外卖 平台算不算我老板",
        "外卖骑手摔伤了平台管不管",
        "跑外卖被平台乱扣钱找谁",
        "饿了么骑手算不算员工啊",
        "送外卖出了车祸站长说我不是他们的人",
        "送外卖的骑手算劳动关系吗",  # typed again after an answer that missed
    ],
    "housing_fund": [
        "公司不给交公积金怎么办",
        "住房公积金单位一直没交能投诉吗",
        "单位少交公积金找哪个部门",
        "公积金断缴了咋整",
        "公积金断缴了怎么办",  # typed again
        "离职了公积金还能不能取出来",
        "老板说公积金不是必须交的，是真的吗",
    ],
    "income_tax": [
        "工资条上个税扣多了怎么退",
        "个人所得税扣得不对找谁",
        "公司代扣的个税比我自己算的多",
        "年底个税汇算能退税吗",
        "工资条上的个税扣多了 怎么退回来",  # typed again
        "个税APP上的收入比我实际工资高",
    ],
    "dormitory": [
        "厂里宿舍水电费扣得太多合理吗",
        "住公司宿舍每月扣三百住宿费正常吗",
        "宿舍不住也要扣钱吗",
        "离职了宿舍押金不退怎么办",
        "公司宿舍八个人一间太挤了能投诉吗",
    ],
    "uniform_deposit": [
        "进厂要交工服押金合法吗",
        "入职交了两百块押金 现在离职不给退",
        "公司扣工作服的钱对不对",
        "押金条丢了还能退押金吗",
    ],
    "retirement": [
        "办退休要准备什么材料",
        "快到退休年龄了怎么办退休手续",
        "女工五十岁能退休吗",
        "单位不给办退休手续怎么办",
        "退休年龄到了厂里还让干活",
    ],
    "social_insurance": [
        "公司不给交社保怎么办",
        "社保断交了有什么影响",
    ],
    "weather": ["今天天气怎么样"],
    "robot": ["你是机器人吗"],
    "food": ["附近有什么好吃的"],
    "divorce": ["我想跟老婆离婚孩子归谁"],
    "phone_bill": ["手机欠费停机了怎么办"],
    "greeting": ["你好"],
    "mortgage": ["买房贷款利率是多少"],
    "party": ["公司年会节目有什么推荐"],
    "exam": ["儿子高考志愿怎么填"],
}
