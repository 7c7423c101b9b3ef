#!/bin/bash
# Sixty concurrent cockpit sign-ins with unknown addresses, each from its own
# loopback address, against a fresh `herold serve`: peak memory (VmHWM) and
# the answers by status with their slowest time.
# usage: bench/scripts/signin-burst.sh HEROLD_BINARY PORT
H=$1; P=$2; D=$(mktemp -d)
$H serve --database $D/h.db --addr 127.0.0.1:$P > $D/out 2>&1 &
PID=$!
for i in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:$P/healthz && break; sleep 0.1; done
J=$D/jar
csrf=$(curl -s -c $J -b $J http://127.0.0.1:$P/login | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
before=$(grep VmRSS /proc/$PID/status | awk '{print $2}')
start=$(date +%s.%N)
for i in $(seq 1 60); do
  curl -s -o /dev/null -w "%{http_code} %{time_total}\n" --interface 127.0.2.$i -b $J --data-urlencode "csrf=$csrf" --data-urlencode "email=ghost$i@example.org" --data-urlencode "password=x" http://127.0.0.1:$P/login > $D/r.$i &
done
wait $(jobs -p | grep -v "^$PID$") 2>/dev/null
for i in $(seq 1 60); do while [ ! -s $D/r.$i ]; do sleep 0.05; done; done
end=$(date +%s.%N)
hwm=$(grep VmHWM /proc/$PID/status | awk '{print $2}')
echo "rss before ${before} kB, peak ${hwm} kB, burst $(echo "$end - $start" | bc) s"
cat $D/r.* | awk '{c[$1]++; if ($2>m[$1]) m[$1]=$2} END {for (k in c) print k, c[k], "max", m[k] "s"}'
kill $PID; wait $PID 2>/dev/null
