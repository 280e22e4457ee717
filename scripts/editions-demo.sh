#!/bin/sh
# A real revision of the shipped yunqi brief, in a throwaway git copy under /tmp (never
# in this repository): correct a figure, rewrite its paragraph, then print `changes`,
# build the revised full report and a draft, and save page images to tests/.artifacts/editions/.
set -e
WT=$(cd "$(dirname "$0")/.." && pwd); PB="python3 $WT/build.py --project /tmp/pb-demo"
ART=$WT/tests/.artifacts/editions
rm -rf /tmp/pb-demo /tmp/pb-demo-out /tmp/pb-demo-draft; mkdir -p $ART
cd $WT && python3 -c "
import sys; sys.path.insert(0,'tests')
from pathlib import Path
from helpers import copy_project
copy_project(Path('/tmp/pb-demo'))"
cd /tmp/pb-demo && git init -q && git add -A && git -c user.email=d@example.org -c user.name=demo commit -qm "edition of 2026-11-20" && git tag yunqi-2026-11-20
python3 - <<'PY'
p='facts/yunqi.yaml'
s=open(p).read()
s=s.replace('''  - id: yunqi.conference.attendance.2016
    value: 40000
    unit: person
    qualifier: nearly
    date: "2016-10"''','''  - id: yunqi.conference.attendance.2016
    value: 40000
    unit: person
    qualifier: over
    date: "2016"''')
s=s.replace('''    quote: "2016年10月，国内最大的云计算、大数据领域的行业峰会云栖大会在省会杭州的云栖小镇举行，吸引了来自海内外58个国家300多家企业近4万人参会"
    note:
      zh: '同一篇文章后文称{{ fact("yunqi.conference.attendance.2016-alt") }}，见冲突记录。'
      en: 'The same article later says {{ fact("yunqi.conference.attendance.2016-alt") }}; see the conflict list.'
''','''    quote: "2016年的云栖大会为期四天，吸引了全球58个国家和地区的逾4万人的参会"
''')
i=s.index('  - id: yunqi.conference.attendance-2016\n'); j=s.index('  - id: yunqi.conference.online-2016')
s=s[:i]+s[j:]
s=s.replace('''  - id: yunqi.conference.attendance.2016-alt
    value''','''  - id: yunqi.conference.attendance.2016-alt
    reference: true
    value''')
open(p,'w').write(s)
p='briefs/yunqi/en.md'
s=open(p).read()
s=s.replace(''' Its figures for attendance also shift, from {{ fact("yunqi.conference.attendance.2016") }} in one passage to {{ fact("yunqi.conference.attendance.2016-alt") }} in another.''',''' Attendance passed {{ fact("yunqi.conference.attendance.2016") }}, the figure the article gives for the whole four-day event.''')
open(p,'w').write(s)
p='briefs/yunqi/zh.md'
s=open(p).read()
s=s.replace('''参会人数，文章先说{{ fact("yunqi.conference.attendance.2016") }}，后说{{ fact("yunqi.conference.attendance.2016-alt") }}；''','''四天会期参会人数{{ fact("yunqi.conference.attendance.2016") }}；''')
open(p,'w').write(s)
PY
echo "== check after the edits (before sync-stamp)"; $PB check -q || true
$PB sync-stamp --brief yunqi
git add -A && git -c user.email=d@example.org -c user.name=demo commit -qm "correct the conference attendance"
echo "== changes yunqi-2026-11-20 --brief yunqi"; $PB changes yunqi-2026-11-20 --brief yunqi
echo "== --markdown"; $PB changes yunqi-2026-11-20 --brief yunqi --markdown
cat >> briefs/yunqi/brief.yaml <<'YML'
revision:
  date: 2026-12-01
  since: yunqi-2026-11-20
  note:
    zh: 本版按京钟雁文对全会期的表述更正了云栖大会参会人数，并改写了相关段落。
    en: This edition corrects the conference attendance to the article's figure for the whole event and rewrites the paragraph that discussed it.
YML
$PB --out /tmp/pb-demo-out --brief yunqi --audience full-report -q
pdftoppm -f 2 -l 2 -r 80 -png /tmp/pb-demo-out/yunqi/full-report.en.pdf $ART/revision-box.en
pdftoppm -f 2 -l 2 -r 80 -png /tmp/pb-demo-out/yunqi/full-report.zh.pdf $ART/revision-box.zh
$PB --out /tmp/pb-demo-draft --brief yunqi --audience full-report --draft -q
pdftoppm -f 3 -l 3 -r 80 -png /tmp/pb-demo-draft/yunqi/full-report.zh.pdf $ART/draft-page.zh
pdftoppm -f 1 -l 1 -r 80 -png /tmp/pb-demo-draft/yunqi/full-report.en.pdf $ART/draft-cover.en
ls $ART
