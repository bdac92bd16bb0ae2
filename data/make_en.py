#!/usr/bin/env python3
"""Generate the bundled English sentiment set (data/en/train.tsv, data/en/test.tsv).

Article-style phrases over the article's 18-word vocabulary
    i am this is was good bad happy sad not very at all and or right now earlier
built from a small grammar and labelled by an independent compositional labeller
(`label()` below parses the words; it never looks at how a phrase was generated).

Training phrases come mostly in pairs of "twins" (same structure, interchangeable words
swapped: i/this, am/is, good/happy, bad/sad); every test phrase is an unseen twin of a
training phrase, i.e. a new combination of known parts, as in the article's test set.

Deterministic: standard library only, fixed seed. Run from anywhere:
    python3 data/make_en.py

SEED was chosen once, offline, by a rule that never looks at test accuracy: among the
seeds 0..999 whose sets pass check(), use all nine subject/suffix frames at least twice
and hit the test length quota exactly, take them in order of fewest phrases shared
with the tutorial's own lists (which live outside this repository), and keep the first
whose training set the numpy reference fits to 100% train accuracy by epoch 1000 for
model seeds 0..3 in both gradient modes ("article" and "exact").
"""
import os
import random

SEED = 352
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "en")

VOCAB = set("i am this is was good bad happy sad not very at all and or right now earlier".split())
BASE = {"good": 1, "happy": 1, "bad": 0, "sad": 0}
POS = [w for w in BASE if BASE[w] == 1]
NEG = [w for w in BASE if BASE[w] == 0]

# Target number of phrases per length (words), roughly the shape of the article's data.
TRAIN_LENGTHS = {1: 4, 2: 6, 3: 7, 4: 12, 5: 10, 6: 8, 7: 5, 8: 3, 9: 2, 10: 1}  # 58
TEST_LENGTHS = {3: 2, 4: 6, 5: 5, 6: 3, 7: 2, 8: 1, 9: 1}  # 20


# ----------------------------------------------------------------------------------------
# Compositional labeller
#
#   phrase  := [subject] clause [suffix]
#   subject := "i am" | "this is" | "i was" | "this was"      (keeps polarity)
#   suffix  := "right now" | "earlier"                        (keeps polarity)
#   clause  := conj ["not" atom]        "X not Y": X decides; Y must oppose X
#   conj    := term ("and" term)*       all terms must agree; keeps it
#   term    := "not at all" disj        flips
#            | "not" atom               flips
#            | atom
#   disj    := atom ("or" atom)*        all atoms must agree
#   atom    := ["very"] base            "very" keeps
#   base    := good | happy (1) | bad | sad (0)
# ----------------------------------------------------------------------------------------
SUBJECTS = [("i", "am"), ("this", "is"), ("i", "was"), ("this", "was")]
SUFFIXES = [("right", "now"), ("earlier",)]


class ParseError(Exception):
    pass


def label(text):
    ws = text.split(" ")
    for s in SUBJECTS:
        if tuple(ws[: len(s)]) == s:
            ws = ws[len(s):]
            break
    for s in SUFFIXES:
        if len(ws) > len(s) and tuple(ws[-len(s):]) == s:
            ws = ws[: -len(s)]
            break
    pos = [0]

    def peek(k=0):
        i = pos[0] + k
        return ws[i] if i < len(ws) else None

    def take(w):
        if peek() != w:
            raise ParseError("expected %r in %r" % (w, text))
        pos[0] += 1

    def atom():
        if peek() == "very":
            pos[0] += 1
        w = peek()
        if w not in BASE:
            raise ParseError("expected an adjective in %r" % text)
        pos[0] += 1
        return BASE[w]

    def disj():
        p = atom()
        while peek() == "or":
            pos[0] += 1
            if atom() != p:
                raise ParseError("'or' joins opposite polarities in %r" % text)
        return p

    def term():
        if peek() == "not" and peek(1) == "at":
            take("not"); take("at"); take("all")
            return 1 - disj()
        if peek() == "not":
            take("not")
            return 1 - atom()
        return atom()

    def conj():
        p = term()
        while peek() == "and":
            pos[0] += 1
            if term() != p:
                raise ParseError("'and' joins opposite polarities in %r" % text)
        return p

    p = conj()
    if peek() == "not":
        take("not")
        if 1 - atom() != p:
            raise ParseError("'X not Y' with Y not opposite to X in %r" % text)
    if pos[0] != len(ws):
        raise ParseError("trailing words in %r" % text)
    return p


# ----------------------------------------------------------------------------------------
# Generator: every clause form crossed with every subject/suffix frame
# ----------------------------------------------------------------------------------------
def same_pairs():
    return [(a, b) for grp in (POS, NEG) for a in grp for b in grp if a != b]


def opposite_pairs():
    return [(a, b) for a in BASE for b in BASE if BASE[a] != BASE[b]]


def clauses():
    """(form, clause) for every clause form."""
    out = []
    for w in BASE:
        out += [("base", w), ("very", "very " + w), ("not", "not " + w),
                ("notatall", "not at all " + w)]
    for a, b in same_pairs():
        out += [("and", "%s and %s" % (a, b)),
                ("veryand", "very %s and %s" % (a, b)),
                ("notandnot", "not %s and not %s" % (a, b)),
                ("notatallor", "not at all %s or %s" % (a, b))]
    for a, b in opposite_pairs():
        out += [("xnoty", "%s not %s" % (a, b)),
                ("veryxnoty", "very %s not %s" % (a, b)),
                ("andnot", "%s and not %s" % (a, b))]
    return out


def frames():
    """Subject/suffix frames: present subjects go with 'right now', past ones with 'earlier'."""
    return ["%s", "i am %s", "this is %s", "i am %s right now", "this is %s right now",
            "i was %s", "this was %s", "i was %s earlier", "this was %s earlier"]


def pool():
    out = []
    for form, c in clauses():
        for fr in frames():
            text = fr % c
            out.append((text, label(text), form, c))
    return out


# Interchangeable words: swapping them changes neither the structure nor the label.
TWIN = {"this": "i", "is": "am", "happy": "good", "sad": "bad"}


def skeleton(text):
    """The phrase with interchangeable words normalised (i/this, am/is, good/happy, bad/sad)."""
    return " ".join(TWIN.get(w, w) for w in text.split(" "))


def groups(c):
    """The groups whose classes should be balanced: clause form, subject, suffix, overall.
    A many-to-one RNN reads the last words most strongly, so e.g. 'earlier' must end
    positive and negative phrases alike, and every form must occur with both labels."""
    ws = c[0].split(" ")
    subj = " ".join(ws[:2]) if tuple(ws[:2]) in SUBJECTS else "-"
    suf = "earlier" if ws[-1] == "earlier" else ("right now" if ws[-2:] == ["right", "now"] else "-")
    return [("form", c[2]), ("subj", subj), ("suf", suf), ("all", "")]


def pick(cands, quota, rng, chosen_before=(), twins=False):
    """Choose quota[n] phrases of n words for every n (or of the nearest length that has
    phrases left), greedily keeping the classes balanced within every group of groups()
    (counting chosen_before too) and spreading the clause forms and frames. With twins, every chosen phrase brings along one twin (same skeleton, other
    interchangeable words) while the quota of its length allows."""
    counts = {}
    spread = {}

    def kinds(c):
        g = groups(c)
        return [g[0], (g[1], g[2])]  # clause form; subject/suffix frame

    def add(c):
        for g in groups(c):
            counts.setdefault(g, [0, 0])[c[1]] += 1
        for k in kinds(c):
            spread[k] = spread.get(k, 0) + 1

    for c in chosen_before:
        add(c)
    slots = [n for n in sorted(quota) for _ in range(quota[n])]
    rng.shuffle(slots)
    chosen = []
    avail = list(cands)
    rng.shuffle(avail)
    while slots:
        n = slots.pop()
        # Phrases of n words; if none is left, those of the nearest length left.
        lens = {len(c[0].split(" ")) for c in avail}
        assert lens, "no phrase left"
        n = min(lens, key=lambda m: (abs(m - n), m))
        best, best_score = None, None
        for c in avail:
            if len(c[0].split(" ")) != n:
                continue
            score = 0
            for g in groups(c):
                k = counts.get(g, [0, 0])
                score += abs(k[c[1]] + 1 - k[1 - c[1]]) - abs(k[c[1]] - k[1 - c[1]])
            score = 4 * score + sum(spread.get(k, 0) for k in kinds(c))
            if best_score is None or score < best_score:
                best, best_score = c, score
        avail.remove(best)
        chosen.append(best)
        add(best)
        if twins and n in slots:
            sk = skeleton(best[0])
            tw = [c for c in avail if skeleton(c[0]) == sk]
            if tw:
                c = rng.choice(tw)
                avail.remove(c)
                chosen.append(c)
                add(c)
                slots.remove(n)
    return chosen


def build(seed):
    """(train, test): lists of (text, label, form, clause)."""
    rng = random.Random(seed)
    everything = pool()
    assert len({t for t, _, _, _ in everything}) == len(everything)

    # Training set: the four base words, then balanced picks of every length, mostly in
    # pairs of twins (e.g. "i am not sad right now" with "this is not bad right now").
    base_words = [c for c in everything if c[0] in BASE]
    rest = [c for c in everything if c[0] not in BASE]
    q = dict(TRAIN_LENGTHS)
    q[1] -= len(base_words)
    train = base_words + pick(rest, q, rng, chosen_before=base_words, twins=True)

    # Test set: unseen phrases, each a twin of a training phrase: a new combination of
    # known parts, as in the article's test set.
    train_words = {w for t, _, _, _ in train for w in t.split(" ")}
    train_skeletons = {skeleton(t) for t, _, _, _ in train}
    train_texts = {t for t, _, _, _ in train}
    cands = [c for c in everything if c[0] not in train_texts
             and skeleton(c[0]) in train_skeletons and set(c[0].split(" ")) <= train_words]
    test = pick(cands, TEST_LENGTHS, rng)

    rng.shuffle(train)
    rng.shuffle(test)
    return train, test


def check(train, test):
    train_words = {w for t, _, _, _ in train for w in t.split(" ")}
    train_texts = {t for t, _, _, _ in train}
    for name, rows, quota in (("train", train, TRAIN_LENGTHS), ("test", test, TEST_LENGTHS)):
        texts = [t for t, _, _, _ in rows]
        assert len(texts) == len(set(texts)), "duplicate in " + name
        assert len(rows) == sum(quota.values()), name
        for t, y, _, _ in rows:
            assert set(t.split(" ")) <= VOCAB, t
            assert label(t) == y, t
            assert "\t" not in t and "\n" not in t and t == t.strip()
        pos = sum(y for _, y, _, _ in rows)
        assert abs(2 * pos - len(rows)) <= 2, (name, pos, len(rows))
    assert train_words == VOCAB, VOCAB - train_words
    assert {w for t, _, _, _ in test for w in t.split(" ")} <= train_words
    assert not ({t for t, _, _, _ in test} & train_texts)
    assert {skeleton(t) for t, _, _, _ in test} <= {skeleton(t) for t, _, _, _ in train}


def main():
    train, test = build(SEED)
    check(train, test)
    train_words = {w for t, _, _, _ in train for w in t.split(" ")}
    os.makedirs(OUT, exist_ok=True)
    for name, rows in (("train", train), ("test", test)):
        with open(os.path.join(OUT, name + ".tsv"), "w", encoding="utf-8", newline="\n") as f:
            f.write("text\tlabel\n")
            for t, y, _, _ in rows:
                f.write("%s\t%d\n" % (t, y))
        pos = sum(y for _, y, _, _ in rows)
        print("%s: %d phrases (%d positive, %d negative)" % (name, len(rows), pos, len(rows) - pos))
    print("vocabulary: %d words" % len(train_words))


if __name__ == "__main__":
    main()
