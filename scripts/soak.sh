#!/bin/sh
# soak.sh BIN NEMESIS SECS NODES LOSS OUT - the nemesis run (issue 6 item 2):
# tests/tools/nemesis with NODES nodes in network namespaces, 20 appends/s,
# one fault every 10 s and LOSS % random packet loss (nftables) for SECS
# seconds, then healed. Prints one key=value summary line (also written to
# OUT); exit 0 only on result=pass. Needs root.
set -e
bin=$1 nemesis=$2 secs=$3 nodes=$4 loss=$5 out=$6
d=$(mktemp -d /tmp/ilonet-soak-XXXXXX)
echo "soak: $nodes nodes, $secs s, $loss % loss; log $d/nemesis.log"
"$nemesis" --bin "$bin" --dir "$d" --nodes "$nodes" --fault-secs "$secs" \
    --heal-secs 30 --loss "$loss" 2>"$d/nemesis.log" | tee "$out"
grep -q 'result=pass' "$out"
