"""Writes a large kill-chain indicator CSV in Meta's format (defanged values,
blank separator rows, multi-line cells) for the import benchmark."""
import random, sys

rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
random.seed(7)
with open(sys.argv[1], "w", newline="") as out:
    out.write("Tactic ,Technique,Procedure,Indicator,Notes\n")
    for i in range(rows):
        r = random.random()
        if r < 0.3:
            out.write(f"0. Acquiring assets,0.9 Acquiring social media accounts,0.9.7 Acquiring Telegram channels,https://t[.]me/channel_{i},\n")
        elif r < 0.6:
            out.write(f"0. Acquiring assets,0.6 Acquiring domains,0.6.2 Acquiring domains to support influence operations,news-{i}[.]info,\n")
        elif r < 0.8:
            out.write(f"0. Acquiring assets,0.9 Acquiring social media accounts,0.9.4 Acquiring X / Twitter accounts,x[.]com/user{i},\n")
        elif r < 0.9:
            out.write(f"0. Acquiring assets,0.9 Acquiring social media accounts,0.9.1 Acquiring Facebook assets,{i % 50 + 1} accounts ,\n")
        elif r < 0.95:
            out.write(",,,,\n")
        else:
            out.write(f'7. Targeted engagement,7.6 Posting about individuals or institutions,7.6.1 Posting negative content,"Posts criticising\nofficial number {i}",\n')
