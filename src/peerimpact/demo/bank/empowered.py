"""Sentence bank, theme *feeling empowered*: hand-written for the PeerImpact demo.

Every line was written fresh for this project; none is taken from a
publication or from real interviews.
"""

from .entry import CodeEntry

CODES: dict[str, CodeEntry] = {
    "training": {
        "questions": [
            "Looking back at the training, how well did it prepare you?",
            "Has there been any training since you started?",
        ],
        "lines": [
            ("early", "The three weeks of training felt like the first time anyone had treated my experience as a skill."),
            ("early", "We did a lot of role-play about first meetings on the ward, which was cringey but actually useful."),
            ("early", "I came out of training buzzing and a bit terrified in equal measure."),
            ("middle", "The training covered the values brilliantly, but nobody showed us how to use the electronic records."),
            ("middle", "I wish there'd been more about what to do when someone tells you something risky on a home visit."),
            ("late", "A refresher would be good now; we've all picked up habits and it would help to step back."),
            ("late", "There's been nothing since the induction, not even the safeguarding update the rest of the team gets."),
            ("any", "Some of the best learning came from hearing the other peer workers talk through their first weeks."),
            ("late", "I asked to go on a course about hearing voices, and it was turned down because we're not permanent."),
        ],
    },
    "supervision": {
        "questions": [
            "Tell me about supervision – what's it like?",
            "Where do you take the difficult stuff?",
        ],
        "lines": [
            ("early", "We've been promised fortnightly supervision with someone who understands peer work, which is reassuring."),
            ("middle", "Supervision is the one hour where I can say out loud that a visit shook me."),
            ("middle", "My supervisor helped me see that I was taking on the whole of someone's recovery as my responsibility."),
            ("middle", "Group reflective practice with the other peer workers is where most of the real thinking happens."),
            ("late", "Supervision got squeezed when the coordinator was off sick, and I felt the difference within weeks."),
            ("late", "These days I go into supervision with a list, because I know what I need from it."),
            ("any", "Having someone ask ‘and how are you doing?’ at the end of a session really matters."),
            ("any", "Clinical supervision from a nurse is fine for the risk side, but it doesn't get at the peer bit."),
        ],
    },
    "autonomy": {
        "questions": [
            "How much say do you have in how you run the sessions?",
            "Do you feel free to shape the support the way you think is right?",
        ],
        "lines": [
            ("early", "What drew me in was that we'd plan the sessions with people rather than follow a script."),
            ("middle", "I can meet someone in a park or a café if that suits them better than a clinic, and that freedom makes a real difference."),
            ("middle", "Sometimes the care team tells me what to focus on, and it doesn't match what the person actually wants."),
            ("late", "I've got the confidence now to say ‘let's try it this way’ and not wait for permission."),
            ("late", "The best sessions are the ones where the person sets the agenda and I walk alongside them."),
            ("any", "Being trusted to use my judgement is probably the biggest difference from other jobs I've had."),
            ("middle", "We can't carry anyone past the ten weeks even when it would help, and that rule frustrates me."),
            ("early", "I'm still finding out how much I'm allowed to decide on my own."),
        ],
    },
    "boundaries": {
        "questions": [
            "How do you manage boundaries with the people you support?",
            "Have there been moments where the line felt blurry?",
        ],
        "lines": [
            ("early", "The thing I'm most worried about is knowing where to draw the line when someone wants to be friends."),
            ("early", "We talked about not giving out personal numbers, which seems obvious until someone asks you directly."),
            ("middle", "Someone messaged me at eleven at night and I had to think hard about how to respond the next day."),
            ("middle", "Because we share experiences, people sometimes think the relationship is more equal than it can be, and holding that is tricky."),
            ("middle", "I've learnt to stop myself fixing things for people when my job is to help them do it themselves."),
            ("late", "I'm clearer now – I'm warm, I'm honest, but I'm not their mate, and most people respect that."),
            ("late", "Keeping some distance isn't coldness; it's what lets me keep doing this without burning out."),
            ("any", "Seeing someone I support at my own GP surgery was awkward – there's nothing in the handbook about that."),
        ],
    },
    "discharge_support": {
        "questions": [
            "What is the work like around the time people leave hospital?",
            "Talk me through what happens when someone is discharged.",
        ],
        "lines": [
            ("early", "I'm looking forward to meeting people on the ward before they go home, because that's the bit I needed most myself."),
            ("middle", "The first week after discharge is when people wobble, so I try to be there within a day or two."),
            ("middle", "Sometimes discharge happens on a Friday afternoon with no warning and I only find out on Monday."),
            ("middle", "A lot of my early visits are practical – gas meters, benefit letters, getting some food in the fridge."),
            ("late", "I've got better at reading the ward, so I can catch people before they're rushed out of the door."),
            ("late", "Going home is exciting and frightening at the same time, and people need someone who remembers both."),
            ("any", "Helping someone get back to their GP or the pharmacy in that first fortnight can stop the whole thing unravelling."),
            ("early", "I've been told the ward will let us know a few days before someone leaves, so we'll see if that happens."),
        ],
    },
    "confidence_growth": {
        "questions": [
            "Has the job changed you at all?",
            "How do you feel in yourself compared with when you started?",
        ],
        "lines": [
            ("early", "A year ago I wouldn't have believed I'd stand in front of a ward team and introduce myself."),
            ("middle", "I've surprised myself – I can handle conversations now that would have floored me in the spring."),
            ("late", "This job has given me back a sense that I'm good at something."),
            ("late", "I've started doing some teaching for new staff, which I never imagined I'd have the nerve for."),
            ("late", "My family say I'm more like my old self, maybe even better than my old self."),
            ("any", "Every time a visit goes well, it's a small bit of evidence that I can do this."),
            ("middle", "I used to ring {coordinator} after almost every visit, and now I only do that when something is genuinely unusual."),
            ("early", "Just getting through the interview and the training has done wonders for how I see myself."),
        ],
    },
}
