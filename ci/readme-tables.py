#!/usr/bin/env python3
"""Rewrites the README's per-peer suite tables from a `ci/run-suite.sh OUT`
run: each peer's topic table, its run time and its count of known
deviations (from vectors/peers/NAME.json).

    python3 ci/readme-tables.py OUT
"""
import json, re, sys, os
readme = open('README.md').read()
lines = readme.split('\n')
out_dir = sys.argv[1]
names = ['builtin','openssl-server','openssl-client','gnutls-server','gnutls-client','tlslite-server','tlslite-client',
         'botan-server','botan-client','go-server','go-client','jsse-server','jsse-client','mbedtls-server','mbedtls-client']
def intro_idx(name):
    if name == 'builtin':
        for i,l in enumerate(lines):
            if l.startswith('Built-in engine (`cargo run --release -p shakedown -- run`'):
                return i
    for i,l in enumerate(lines):
        if ('`%s.json`' % name) in l or ('vectors/peers/%s.json' % name) in l:
            # must be followed by a table within a few lines
            for j in range(i, min(i+8, len(lines))):
                if lines[j].startswith('| topic |'):
                    return i
    return None
changed = []
for name in names:
    f = os.path.join(out_dir, name + '.txt')
    if not os.path.exists(f):
        print('missing', name); continue
    txt = open(f).read()
    m = re.search(r'in (\d+\.\d+)s', txt)
    t = re.findall(r'^\|.*\|$', txt, re.M)
    if not t or not m:
        print('no table', name); continue
    i = intro_idx(name)
    if i is None:
        print('no intro', name); continue
    # time in the intro paragraph (may span lines until the table)
    j = i
    while not lines[j].startswith('| topic |'):
        j += 1
    for k in range(i, j):
        if re.search(r'\d+\.\d+s', lines[k]):
            lines[k] = re.sub(r'~?\d+\.\d+s', (('~' if name=='builtin' else '') + m.group(1) + 's'), lines[k], count=1)
            break
    end = j
    while end < len(lines) and lines[end].startswith('|'):
        end += 1
    lines[j:end] = t
    if name != 'builtin':
        n = len(json.load(open('vectors/peers/%s.json' % name)).get('known_deviations', []))
        word = 'deviation' if n == 1 else 'deviations'
        for k in range(i, j):
            if re.search(r'\d+ known deviations?', lines[k]):
                lines[k] = re.sub(r'\d+ known deviations?', '%d known %s' % (n, word), lines[k], count=1)
                break
    changed.append(name)
open('README.md','w').write('\n'.join(lines))
print('updated', changed)
