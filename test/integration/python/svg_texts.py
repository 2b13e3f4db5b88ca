"""svg_texts.py FILE.svg: parses the file as XML (python's expat) and prints JSON: the text of
every <text> element, and the markup that must never appear (elements other than the drawing's
own, event-handler and href attributes). Exits 1 with the parser's message if not well-formed."""
import json
import sys
import xml.etree.ElementTree as ET

SVG = '{http://www.w3.org/2000/svg}'
DRAWING = {'svg', 'rect', 'path', 'title', 'g', 'text'}
try:
    root = ET.parse(sys.argv[1]).getroot()
except ET.ParseError as e:
    print(f'not well-formed: {e}', file=sys.stderr)
    sys.exit(1)
foreign, handlers, texts = [], [], []
for el in root.iter():
    tag = el.tag.replace(SVG, '')
    if tag not in DRAWING:
        foreign.append(el.tag)
    handlers += [k for k in el.attrib if k.lower().startswith('on') or k.lower().endswith('href')]
    if tag == 'text':
        texts.append(el.text or '')
print(json.dumps({'foreign': foreign, 'handlers': handlers, 'texts': texts}))
