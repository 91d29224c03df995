"""Sentence bank, theme *feeling valued*: hand-written for the PeerImpact demo.

Every line was written fresh for this project; none is taken from a
publication or from real interviews. Tones: ``early`` (just trained),
``middle`` (a few months in), ``late`` (about a year in), ``any``.
"""

from .entry import CodeEntry

CODES: dict[str, CodeEntry] = {
    "lived_experience": {
        "questions": [
            "How much do you draw on your own experience in the work?",
            "Has your own history come into the sessions at all?",
        ],
        "lines": [
            ("any", "When someone tells me nobody gets it, I can say honestly that I’ve sat where they’re sitting."),
            ("any", "My own time on a ward isn't something I lead with, but it sits underneath everything I do."),
            ("early", "The training helped me work out which parts of my story are useful to share and which parts I keep for myself."),
            ("early", "I was nervous people would only see a diagnosis, but so far it feels like my history is the reason I was hired."),
            ("middle", "There was a man last month who only started talking once I mentioned I'd been sectioned too – after that it was a different conversation."),
            ("middle", "Some days hearing someone else's story stirs up my own stuff more than I expected it to."),
            ("late", "A year in, I use my experience more lightly; it’s less about telling my story and more about knowing when to stay quiet."),
            ("late", "The lived experience bit is the one thing nobody else in the team can offer, and I've stopped apologising for it."),
            ("any", "I remember leaving hospital with a bag of tablets and no idea what came next, so that shapes how I plan a first visit."),
            ("early", "I keep a few sentences about my own recovery ready, so I'm not making it up on the spot."),
        ],
    },
    "valued_by_staff": {
        "questions": [
            "How do the clinical staff respond to you?",
            "Do you feel valued by the wider team on the wards?",
        ],
        "lines": [
            ("early", "The ward manager came over on my first day and said she was glad we were here, which meant more than she probably realised."),
            ("early", "I’m not sure yet whether the nurses see us as part of the team or as visitors."),
            ("middle", "Some of the clinical staff still talk over me in handover, as if I'm only there to make the tea."),
            ("middle", "One consultant asked for my view on a discharge plan in front of everyone, and I walked out of that meeting a foot taller."),
            ("middle", "It varies a lot by ward – on one I'm greeted by name, on another I explain who I am every single time."),
            ("late", "The care coordinators ring me now before they ring the family, so something has definitely shifted."),
            ("late", "I still get the odd comment that makes me feel like the peer worker is the least important person in the room."),
            ("any", "When a psychiatrist says ‘that’s a good point’ about something I've raised, I notice it, and maybe I shouldn't have to."),
            ("any", "Being copied into the emails about a person's care sounds small, but it tells me I'm counted."),
        ],
    },
    "role_understanding": {
        "questions": [
            "Do people around you understand what a peer worker does?",
            "How clear is the role to other staff?",
        ],
        "lines": [
            ("early", "Half the team seem to think I'll do their paperwork and the other half think I'm a befriender."),
            ("early", "We ended up writing our own little leaflet about what a peer worker is, because nobody on the wards knew."),
            ("middle", "I keep getting asked to escort people to appointments, which is fine now and then, but that isn't really the role."),
            ("middle", "Explaining that I'm not a support worker and not a volunteer has become my party piece."),
            ("late", "Now that people have seen what we actually do, the referrals coming through are much more appropriate."),
            ("late", "There's still confusion about whether we can see someone who isn't being discharged, and every manager gives a different answer."),
            ("any", "If people don't understand the role they don't know when to call you, so half the battle is just being visible."),
            ("any", "I've stopped waiting for a job description to explain me and started explaining myself."),
        ],
    },
    "recognition": {
        "questions": [
            "What do the people you support say about the work?",
            "Have you had any feedback from the people you work with?",
        ],
        "lines": [
            ("early", "I've only met a couple of people so far, but the first woman said she was relieved to talk to someone without a bunch of ward keys."),
            ("middle", "A lad I worked with sent a card after his ten weeks, and it's on my fridge."),
            ("middle", "When someone says ‘you actually listened’, that keeps me going through the harder weeks."),
            ("late", "I bumped into someone I'd supported last spring and she told me she was back at college – I nearly cried by the tills."),
            ("late", "The thanks from the people I work with is what makes up for the pay, honestly."),
            ("any", "It's not the big gestures, it's someone turning up to the café on time because they knew I'd be there."),
            ("middle", "One family told the ward it was the first time they'd felt anyone was on their side."),
            ("any", "One woman called me her “proper person”, which I’ll happily take."),
        ],
    },
    "pay_and_prospects": {
        "questions": [
            "How do you feel about the pay and where the job might lead?",
            "What about progression – can you see a future in this kind of role?",
        ],
        "lines": [
            ("early", "The pay isn’t great, but I went in with my eyes open because I wanted this kind of work."),
            ("early", "Nobody has said what comes after this post, and I haven't liked to ask yet."),
            ("middle", "I'm on the lowest band in the building and I'm having some of the most delicate conversations."),
            ("middle", "I did the sums, and with the hours I've got I'm barely better off than before I started."),
            ("late", "There's no ladder – you're a peer worker and that's it, unless you leave and retrain as something else."),
            ("late", "I applied for a senior peer role in another trust, but there were about forty of us going for one post."),
            ("late", "I'd love to stay in this field, but I can't see how I'd ever earn enough to move out of a shared flat."),
            ("any", "If the organisation really valued what we bring, the grading would say so."),
            ("middle", "A couple of us asked about a training route into nursing, and the answer was a shrug."),
        ],
    },
    "job_security": {
        "questions": [
            "How settled do you feel about the job itself, the contract and so on?",
            "Has the fixed-term side of things affected you?",
        ],
        "lines": [
            ("early", "It's a fixed-term contract tied to the trial, so at the back of my mind I'm already wondering what happens at the end."),
            ("middle", "Every few weeks there's a rumour about funding, and it unsettles the whole team."),
            ("middle", "Being on a temporary contract makes it hard to plan anything, even a holiday."),
            ("late", "We were told in a team meeting that the posts would end in the summer, and the room went completely silent."),
            ("late", "I've started looking at other jobs because I can't afford to wait and see."),
            ("late", "If the posts were made permanent tomorrow, I'd feel the service had finally decided we were worth keeping."),
            ("any", "Knowing the job might disappear makes you hold back a little, which isn't good for the people you work with."),
            ("early", "I gave up a steady part-time job for this, so the end date does play on my mind."),
        ],
    },
}
