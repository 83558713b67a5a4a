#!/usr/bin/env python3
"""Build the blind PII evaluation set from src/blind.md.

    python3 gen_ids.py fill src/blind_tpl.md src/blind.md   (only when the template changes)
    python3 build.py

Writes blind_a.jsonl, blind_b.jsonl and stats.json next to this script.
"""
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, 'src', 'blind.md')
LABELS = ['PERSON', 'EMAIL_ADDRESS', 'PHONE_NUMBER', 'LOCATION', 'NATIONAL_ID', 'FINANCIAL',
          'IP_ADDRESS', 'URL', 'DATE_OF_BIRTH', 'LICENSE_PLATE']
COUNTRIES = {'AR', 'MX', 'CL', 'CO', 'PE', 'UY', 'VE', 'BR', 'ES', 'XX'}
MSG_RE = re.compile(r'^([A-Z]{2})\|\s?(.*)$')
CLOSE_RE = re.compile(r'\]\((' + '|'.join(LABELS) + r')\)')


def parse_markup(raw):
    """Return (text, spans). Span markup: [visible](LABEL); brackets inside are allowed if balanced."""
    # pass 1: find span openers/closers
    stack = []
    pairs = []  # (open_idx, close_idx, close_end, label)
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == '[':
            stack.append(i)
            i += 1
            continue
        if ch == ']':
            m = CLOSE_RE.match(raw, i)
            if stack:
                o = stack.pop()
                if m:
                    pairs.append((o, i, m.end(), m.group(1)))
                    i = m.end()
                    continue
            elif m:
                raise ValueError(f'unmatched span close in: {raw!r}')
        i += 1
    opens = {p[0]: p for p in pairs}
    closes = {p[1]: p for p in pairs}
    out = []
    pos = 0
    starts = {}
    spans = []
    i = 0
    while i < len(raw):
        if i in opens:
            starts[i] = pos
            i += 1
            continue
        if i in closes:
            o, c, e, lab = closes[i]
            spans.append((starts[o], pos, lab))
            i = e
            continue
        out.append(raw[i])
        pos += 1
        i += 1
    text = ''.join(out)
    res = []
    for s, e, lab in sorted(spans):
        v = text[s:e]
        assert v and v == v.strip(), f'bad span boundary {v!r} in {text!r}'
        res.append({'start': s, 'end': e, 'label': lab, 'value': v})
    # no overlaps
    for a, b in zip(res, res[1:]):
        assert a['end'] <= b['start'], f'overlap {a} {b}'
    assert '](' not in text or not CLOSE_RE.search(text), f'leftover markup in {text!r}'
    return text, res


def read_units(path):
    """Return list of units; a unit is (conv_name_or_None, [ (country, raw_text, lineno) ])."""
    units = []
    cur_conv = None
    cur_msgs = None
    last = None  # message list entry being built
    for ln, line in enumerate(open(path, encoding='utf-8'), 1):
        line = line.rstrip('\n')
        st = line.strip()
        if not st or st.startswith('#'):
            continue
        if st.startswith('== conv'):
            if cur_conv is not None:
                units.append((cur_conv, cur_msgs))
            cur_conv = st[len('== conv'):].strip()
            assert cur_conv, f'line {ln}: conv needs a name'
            cur_msgs = []
            last = None
            continue
        if st.startswith('== end'):
            assert cur_conv is not None, f'line {ln}: == end without conv'
            units.append((cur_conv, cur_msgs))
            cur_conv, cur_msgs, last = None, None, None
            continue
        if st.startswith('|'):
            assert last is not None, f'line {ln}: continuation without message'
            cont = st[1:]
            if cont.startswith(' '):
                cont = cont[1:]
            last[1] += '\n' + cont
            continue
        m = MSG_RE.match(line)
        assert m, f'line {ln}: cannot parse {line!r}'
        cc, txt = m.groups()
        assert cc in COUNTRIES, f'line {ln}: bad country {cc}'
        last = [cc, txt, ln]
        if cur_conv is not None:
            cur_msgs.append(last)
        else:
            units.append((None, [last]))
    if cur_conv is not None:
        units.append((cur_conv, cur_msgs))
    return units


def main():
    units = read_units(SRC)
    halves = {'a': [], 'b': []}
    n = 0
    conv_names = set()
    counters = {'conv': 0, 'single': 0}
    for ui, (conv, msgs) in enumerate(units):
        if conv is not None:
            assert conv not in conv_names, f'duplicate conv {conv}'
            conv_names.add(conv)
            assert len(msgs) >= 2, f'conv {conv} has <2 messages'
        # alternate conversation groups among themselves and standalone messages among themselves
        key = 'conv' if conv is not None else 'single'
        k = counters[key]
        counters[key] += 1
        half = 'a' if k % 2 == 0 else 'b'
        for turn, (cc, raw, ln) in enumerate(msgs):
            n += 1
            try:
                text, spans = parse_markup(raw)
            except AssertionError as e:
                sys.exit(f'line {ln}: {e}')
            for s in spans:
                assert text[s['start']:s['end']] == s['value']
            assert '[' not in text or '](' not in text, f'line {ln}: suspicious markup left {text!r}'
            halves[half].append({'id': f'blind-{n:04d}', 'country': cc, 'text': text, 'spans': spans,
                                 'conv': conv, 'turn': turn})
    stats = {}
    for h, rows in halves.items():
        with open(os.path.join(HERE, f'blind_{h}.jsonl'), 'w', encoding='utf-8') as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + '\n')
        lab = collections.Counter(s['label'] for r in rows for s in r['spans'])
        stats[h] = {
            'messages': len(rows),
            'messages_without_pii': sum(1 for r in rows if not r['spans']),
            'conversations': len({r['conv'] for r in rows if r['conv']}),
            'conv_messages': sum(1 for r in rows if r['conv']),
            'spans': sum(lab.values()),
            'labels': {l: lab.get(l, 0) for l in LABELS},
            'countries': dict(sorted(collections.Counter(r['country'] for r in rows).items())),
        }
    with open(os.path.join(HERE, 'stats.json'), 'w', encoding='utf-8') as f:
        json.dump(stats, f, indent=1, ensure_ascii=False)
    print(f"{'label':15s} {'A':>5s} {'B':>5s} {'total':>6s}")
    for l in LABELS:
        a, b = stats['a']['labels'][l], stats['b']['labels'][l]
        flag = '' if min(a, b) >= 5 else '   <-- fewer than 5 in a half'
        print(f'{l:15s} {a:5d} {b:5d} {a + b:6d}{flag}')
    for k in ('messages', 'messages_without_pii', 'conversations', 'conv_messages', 'spans'):
        print(f"{k:22s} A={stats['a'][k]:4d} B={stats['b'][k]:4d}")
    print('countries A', stats['a']['countries'])
    print('countries B', stats['b']['countries'])


if __name__ == '__main__':
    main()
