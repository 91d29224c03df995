"""Sentence bank, theme *feeling connected*: hand-written for the PeerImpact demo.

Every line was written fresh for this project; none is taken from a
publication or from real interviews.
"""

from .entry import CodeEntry

CODES: dict[str, CodeEntry] = {
    "team_support": {
        "questions": [
            "What's it like working with the other peer workers?",
            "How does the peer team support each other?",
        ],
        "lines": [
            ("early", "The other peer workers in my cohort already feel like a little family."),
            ("early", "Our weekly team meeting is where we share what worked and laugh about what didn't."),
            ("middle", "When I had a rough week, {colleague} covered two of my visits without me even asking."),
            ("middle", "The team chat keeps going even at weekends, which is lovely but also a bit much sometimes."),
            ("late", "Two of the original team have left, and the new faces are great, but it's a different group now."),
            ("late", "Honestly, I'd have quit months ago if it weren't for the people I work alongside."),
            ("any", "We look out for each other – if someone goes quiet in a meeting, someone else checks in afterwards."),
            ("any", "{colleague} and I often debrief in the car park for ten minutes before heading home."),
        ],
    },
    "coordinator_support": {
        "questions": [
            "What role does your coordinator play?",
            "Who do you go to when you need backup?",
        ],
        "lines": [
            ("early", "{coordinator} has been brilliant at fighting our corner with the ward managers."),
            ("middle", "Being able to ring {coordinator} straight after a difficult visit makes all the difference."),
            ("middle", "Our coordinator is stretched so thin that sometimes I feel bad bothering them."),
            ("late", "When {coordinator} was off for a while, we went about six weeks without anyone really holding the team together."),
            ("late", "A good coordinator is the glue – they translate between us and the clinical world."),
            ("any", "{coordinator} always asks how we are before asking about our caseload numbers."),
            ("early", "{coordinator} sat in on my first two ward visits, which took a lot of the fear out of it."),
        ],
    },
    "connection_with_people": {
        "questions": [
            "How do you build a relationship with someone new?",
            "What makes the relationship work with the people you support?",
        ],
        "lines": [
            ("early", "I'm excited to just sit with people and be alongside them rather than doing something to them."),
            ("middle", "Sometimes the first few visits are just walks, and then on the fourth one everything comes out."),
            ("middle", "Trust builds quickly once people realise you're not going to write down everything they say."),
            ("late", "People have told me things they never told their care coordinator, simply because I'd been there myself."),
            ("late", "The connection is the intervention, really – everything else hangs off it."),
            ("any", "Humour helps; once we've laughed about something, the whole relationship relaxes."),
            ("middle", "With one person it took three cancelled visits before we actually met, and then we got on like a house on fire."),
            ("early", "I'm planning to let people choose where we meet, because a clinic room can feel like being assessed."),
        ],
    },
    "endings": {
        "questions": [
            "How do you handle the end of the ten weeks?",
            "What are endings like for you?",
        ],
        "lines": [
            ("middle", "Ten weeks goes very quickly, and I've started mentioning the ending from the very first session."),
            ("middle", "Saying goodbye to the first person I supported was harder than I expected."),
            ("late", "I used to dread endings, but now I see them as part of the support – proof that people can move on."),
            ("late", "Some people just stop answering, and you never get to close it properly, which stays with me."),
            ("late", "I try to end with a plan that leaves people connected to something – a group, a class, a friend."),
            ("any", "It's strange getting close to someone and then stepping back on purpose."),
            ("early", "I can already tell the endings are going to be the hard part for me."),
        ],
    },
    "isolation": {
        "questions": [
            "Do you ever feel on your own in the role?",
            "What's it like working out in the community by yourself?",
        ],
        "lines": [
            ("early", "I'm the only peer worker based on my ward, so I'm hoping I don't end up feeling like the odd one out."),
            ("middle", "Driving between home visits on my own all day, it can feel quite lonely."),
            ("middle", "There isn't a desk for us, so I end up writing my notes in the car or a café."),
            ("late", "Once the other peer worker in my area left, I felt really exposed."),
            ("late", "The lone working policy says ring in after every visit, but some days nobody picks up."),
            ("any", "You carry a lot in your head on the drive home, and there's no one in the car to offload to."),
            ("middle", "At the community base I'm not on the team list, so I miss half the emails about meetings."),
        ],
    },
    "own_wellbeing": {
        "questions": [
            "How has your own wellbeing been since you started?",
            "How are you looking after yourself in all this?",
        ],
        "lines": [
            ("early", "I've got my wellness plan written down, and my manager has a copy, just in case."),
            ("middle", "Around month three I hit a wall – I was tired all the time and my sleep went."),
            ("middle", "Hearing so many stories that echo your own can knock you, even when you think you're steady."),
            ("middle", "I took a few days off in the autumn because I could feel myself slipping, and I'm glad I did."),
            ("late", "I'm in a better place than I was at the start of the winter, mostly because I learned to pace myself."),
            ("late", "The job is good for my mental health on balance, but the dip in the middle was real."),
            ("any", "I check in with myself after every visit now – how am I, what do I need – before I drive off."),
            ("middle", "Some weeks I came home and just lay on the sofa, completely wrung out."),
            ("early", "Starting work again after a long gap is tiring in itself, never mind the content of the job."),
        ],
    },
}
