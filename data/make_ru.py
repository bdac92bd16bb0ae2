#!/usr/bin/env python3
"""Generate the bundled Russian sentiment set (data/ru/train.tsv, data/ru/test.tsv).

Short natural Russian sentences in the spirit of the article's Russian examples
(`Я хороший` 1, `Я плохой` 0, `Это неплохо` 1, `Я плохой, а не хороший` 0,
`Я чувствую себя неплохо, мне не грустно` 1), over a deliberately small closed
vocabulary, with capital letters and punctuation. Labels come from an independent
compositional labeller (`label()` below reads the words; it never looks at how a
sentence was generated).

Tokenisation assumed by the project (and by the checks here): Unicode lowercase, then
split on whitespace and punctuation, so `Я` = `я` and `хороший,` = `хороший`.

Training sentences come mostly in pairs of "twins" (same structure, interchangeable
words swapped: добрый/хороший, злой/плохой, весело/хорошо, грустно/плохо, это/мне,
with or without сейчас); every test sentence is an unseen twin of a training sentence.
The article's three short examples (Я хороший. Я плохой. Это неплохо.) are always in
the training set.

Deterministic: standard library only, fixed seed (0: the first seed whose sets pass
check()). Run from anywhere:
    python3 data/make_ru.py
"""
import os
import random
import re

SEED = 0
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "ru")

# Predicate words and their polarity.
ADJ = {"хороший": 1, "добрый": 1, "плохой": 0, "злой": 0}              # after "я"
ADV = {"хорошо": 1, "весело": 1, "неплохо": 1, "плохо": 0, "грустно": 0}  # after "мне", "это"
FEEL = {"хорошо": 1, "неплохо": 1, "плохо": 0}                         # after "чувствую себя"
LEX = dict(ADJ, **ADV)
# Words that only set the scene (subject, verb, time): they keep the polarity.
FRAME_WORDS = {"я", "мне", "это", "чувствую", "себя", "сейчас", "вчера", "было"}
VOCAB = set(LEX) | FRAME_WORDS | {"не", "очень", "совсем", "и", "а"}

TRAIN_LENGTHS = {1: 3, 2: 5, 3: 8, 4: 9, 5: 8, 6: 7, 7: 5, 8: 3, 9: 2}  # 50
TEST_LENGTHS = {2: 2, 3: 3, 4: 4, 5: 3, 6: 3, 7: 2, 8: 1}            # 18


def tokens(text):
    """The project's tokenisation: lowercase, split on whitespace and punctuation."""
    return re.findall(r"\w+", text.lower())


# ----------------------------------------------------------------------------------------
# Compositional labeller
#
#   sentence := head [", а не" word]      "X, а не Y": X decides; Y must oppose X
#   head     := clause ("," clause)*       every clause must agree; keeps it
#   clause   := frame words + expr         frame words (я, мне, это, чувствую себя,
#                                          сейчас, вчера, было) keep the polarity
#   expr     := term ("и" term)*           all terms must agree; keeps it
#   term     := "совсем не" word | "не" word   flip
#             | "очень" word | word            keep
#   word     := хороший добрый хорошо весело неплохо (1) | плохой злой плохо грустно (0)
# Note `неплохо` is one word with its own (positive) polarity, not `не` + `плохо`.
# ----------------------------------------------------------------------------------------
class ParseError(Exception):
    pass


def label(text):
    low = text.lower().rstrip(".!")
    tail = None
    if ", а не " in low:
        low, tail = low.split(", а не ")
    pols = []
    for clause in low.split(", "):
        ws = [w for w in tokens(clause) if w not in FRAME_WORDS]
        i = 0
        p = None
        while True:
            neg = False
            if ws[i:i + 2] == ["совсем", "не"]:
                neg, i = True, i + 2
            elif ws[i:i + 1] == ["не"]:
                neg, i = True, i + 1
            elif ws[i:i + 1] == ["очень"]:
                i += 1
            if i >= len(ws) or ws[i] not in LEX:
                raise ParseError("expected a predicate word in %r" % text)
            q = LEX[ws[i]] ^ neg
            i += 1
            if p is not None and q != p:
                raise ParseError("'и' joins opposite polarities in %r" % text)
            p = q
            if i < len(ws) and ws[i] == "и":
                i += 1
                continue
            break
        if i != len(ws):
            raise ParseError("trailing words in %r" % text)
        pols.append(p)
    if len(set(pols)) != 1:
        raise ParseError("clauses disagree in %r" % text)
    if tail is not None:
        ws = tokens(tail)
        if len(ws) != 1 or ws[0] not in LEX or LEX[ws[0]] == pols[0]:
            raise ParseError("'X, а не Y' with Y not opposite to X in %r" % text)
    return pols[0]


# ----------------------------------------------------------------------------------------
# Generator
# ----------------------------------------------------------------------------------------
def exprs(lex):
    """(form, expression) over the predicate words of lex."""
    out = []
    for w in lex:
        out.append(("base", w))
        if w != "неплохо":          # "очень неплохо", "не неплохо": not in this set
            out += [("очень", "очень " + w), ("совсем не", "совсем не " + w)]
        if w not in ("неплохо", "хорошо", "плохо"):
            # plain "не хорошо/плохо" would be spelt "нехорошо/неплохо"; the separate
            # "не" stays in "совсем не", "не X и не Y" and "X, а не Y"
            out.append(("не", "не " + w))
    for a in lex:
        for b in lex:
            if a != b and lex[a] == lex[b] and "неплохо" not in (a, b):
                out.append(("и", "%s и %s" % (a, b)))
                out.append(("не и не", "не %s и не %s" % (a, b)))
            if lex[a] != lex[b] and "неплохо" not in (a, b):
                out.append(("а не", "%s, а не %s" % (a, b)))
    return out


# (frame name, template, predicate lexicon)
FRAMES = [
    ("я", "я %s", ADJ),
    ("сейчас я", "сейчас я %s", ADJ),
    ("-", "%s", ADV),
    ("это", "это %s", ADV),
    ("вчера было", "вчера было %s", ADV),
    ("мне", "мне %s", ADV),
    ("сейчас мне", "сейчас мне %s", ADV),
    ("вчера мне было", "вчера мне было %s", ADV),
    ("чувствую", "я чувствую себя %s", FEEL),
    ("сейчас чувствую", "сейчас я чувствую себя %s", FEEL),
]


def sentence(s, rng):
    """Capitalise and end with a full stop or (now and then) an exclamation mark."""
    return s[0].upper() + s[1:] + ("!" if rng.random() < 0.25 else ".")


def pool(rng):
    """(text, label, form, frame) for every expression in every frame, plus two-clause
    sentences like 'Я чувствую себя неплохо, мне не грустно.'"""
    out = []
    simple = []
    for fname, tmpl, lex in FRAMES:
        for form, e in exprs(lex):
            if fname == "-" and form in ("и", "не и не", "а не"):
                continue            # bare predicates stay short: "Весело!", "Не грустно."
            s = tmpl % e
            out.append((s, form, fname))
            if form in ("base", "не", "очень") and fname in ("я", "это", "чувствую", "мне"):
                simple.append((s, form, fname))
    # Two clauses that agree: a first clause (я/это/чувствую) and a second one with "мне".
    for s1, f1, n1 in simple:
        if n1 == "мне":
            continue
        for s2, f2, n2 in simple:
            if n2 == "мне" and label(s1) == label(s2) and tokens(s1)[-1] != tokens(s2)[-1]:
                out.append(("%s, %s" % (s1, s2), "два", n1 + "+мне"))
    return [(t, label(t), f, n) for t, f, n in
            ((sentence(s, rng), f, n) for s, f, n in sorted(out))]


# Interchangeable words: swapping them changes neither the structure nor the label;
# "сейчас" (now) can be added or dropped.
TWIN = {"добрый": "хороший", "злой": "плохой", "весело": "хорошо", "грустно": "плохо",
        "это": "мне", "сейчас": None}


def skeleton(text):
    return " ".join(TWIN.get(w, w) for w in tokens(text) if TWIN.get(w, w) is not None)


def groups(c):
    """Groups whose classes are kept balanced: expression form, frame, overall."""
    return [("form", c[2]), ("frame", c[3]), ("all", "")]


def pick(cands, quota, rng, twins=False, chosen_before=()):
    """Choose quota[n] sentences of n words for every n (or of the nearest length that has
    sentences left), greedily keeping the classes balanced within every group of groups()
    (counting chosen_before too) and spreading forms and frames. With twins, every chosen sentence brings along one
    twin (same skeleton, other interchangeable words) while the quota of its length allows."""
    counts, spread = {}, {}

    def add(c):
        for g in groups(c):
            counts.setdefault(g, [0, 0])[c[1]] += 1
        for k in (c[2], c[3]):
            spread[k] = spread.get(k, 0) + 1

    for c in chosen_before:
        add(c)
    slots = [n for n in sorted(quota) for _ in range(quota[n])]
    rng.shuffle(slots)
    avail = list(cands)
    rng.shuffle(avail)
    chosen = []
    while slots:
        n = slots.pop()
        lens = {len(tokens(c[0])) for c in avail}
        assert lens, "no sentence left"
        n = min(lens, key=lambda m: (abs(m - n), m))
        best, best_score = None, None
        for c in avail:
            if len(tokens(c[0])) != n:
                continue
            score = 0
            for g in groups(c):
                k = counts.get(g, [0, 0])
                score += abs(k[c[1]] + 1 - k[1 - c[1]]) - abs(k[c[1]] - k[1 - c[1]])
            score = 4 * score + spread.get(c[2], 0) + spread.get(c[3], 0)
            if best_score is None or score < best_score:
                best, best_score = c, score
        avail.remove(best)
        chosen.append(best)
        add(best)
        if twins and n in slots:
            tw = [c for c in avail if skeleton(c[0]) == skeleton(best[0])]
            if tw:
                c = rng.choice(tw)
                avail.remove(c)
                chosen.append(c)
                add(c)
                slots.remove(n)
    return chosen


def build(seed):
    rng = random.Random(seed)
    everything = pool(rng)
    # The article's three short examples are always in; the rest is picked.
    first = [c for c in everything if tokens(c[0]) in (["я", "хороший"], ["я", "плохой"],
                                                       ["это", "неплохо"])]
    rest = [c for c in everything if c not in first]
    q = dict(TRAIN_LENGTHS)
    q[2] -= len(first)
    train = first + pick(rest, q, rng, twins=True, chosen_before=first)
    train_words = {w for c in train for w in tokens(c[0])}
    train_sk = {skeleton(c[0]) for c in train}
    # Test: unseen sentences (also after tokenisation), each a twin of a training
    # sentence, i.e. a new combination of known parts.
    cands = [c for c in everything if skeleton(c[0]) in train_sk
             and tokens(c[0]) not in [tokens(t[0]) for t in train]
             and set(tokens(c[0])) <= train_words]
    test = pick(cands, TEST_LENGTHS, rng)
    rng.shuffle(train)
    rng.shuffle(test)
    return train, test


def check(train, test):
    train_words = {w for c in train for w in tokens(c[0])}
    for name, rows, quota in (("train", train, TRAIN_LENGTHS), ("test", test, TEST_LENGTHS)):
        toks = [" ".join(tokens(c[0])) for c in rows]
        assert len(toks) == len(set(toks)), "duplicate in " + name
        assert len(rows) == sum(quota.values()), name
        for t, y, _, _ in rows:
            assert set(tokens(t)) <= VOCAB, t
            assert label(t) == y, t
            assert "\t" not in t and "\n" not in t and '"' not in t and t == t.strip()
        pos = sum(c[1] for c in rows)
        assert abs(2 * pos - len(rows)) <= 2, (name, pos, len(rows))
    assert train_words == VOCAB, VOCAB - train_words
    assert {w for c in test for w in tokens(c[0])} <= train_words
    assert not ({" ".join(tokens(c[0])) for c in test} & {" ".join(tokens(c[0])) for c in train})
    assert {skeleton(c[0]) for c in test} <= {skeleton(c[0]) for c in train}


def main():
    train, test = build(SEED)
    check(train, test)
    os.makedirs(OUT, exist_ok=True)
    for name, rows in (("train", train), ("test", test)):
        with open(os.path.join(OUT, name + ".tsv"), "w", encoding="utf-8", newline="\n") as f:
            f.write("text\tlabel\n")
            for t, y, _, _ in rows:
                f.write("%s\t%d\n" % (t, y))
        pos = sum(c[1] for c in rows)
        print("%s: %d sentences (%d positive, %d negative)" % (name, len(rows), pos, len(rows) - pos))
    print("vocabulary: %d words" % len({w for c in train for w in tokens(c[0])}))


if __name__ == "__main__":
    main()
