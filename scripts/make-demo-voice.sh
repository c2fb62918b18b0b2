#!/bin/sh
# Regenerates server/demo/customer.ogg, the simulated customer of the demo softphone: a few lines
# spoken by espeak-ng with pauses between them (for the agent to answer), Opus 16 kbit/s mono.
# Needs espeak-ng, sox and ffmpeg.
set -eu
out="$(dirname "$0")/../server/demo/customer.ogg"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
i=0
for line in \
  "Hi, this is Jordan Lee. I was charged twice for my last order." \
  "It was order number four two seven, last Tuesday." \
  "Yes, please refund the second charge." \
  "Could I also update the card on my account?" \
  "Great, thank you so much for your help. Bye."; do
  i=$((i + 1))
  espeak-ng -v en-gb+f3 -s 165 -w "$tmp/raw$i.wav" "$line"
  sox "$tmp/raw$i.wav" -r 48000 -c 1 "$tmp/line$i.wav" pad 0.3 4.5
done
sox "$tmp"/line1.wav "$tmp"/line2.wav "$tmp"/line3.wav "$tmp"/line4.wav "$tmp"/line5.wav "$tmp/all.wav"
ffmpeg -hide_banner -loglevel error -y -i "$tmp/all.wav" -c:a libopus -b:a 16k -application voip -fflags +bitexact -flags:a +bitexact "$out"
echo "wrote $out"
