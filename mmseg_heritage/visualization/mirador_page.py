"""A page that opens a IIIF manifest in Mirador with its annotations shown: a collection run's
scans with their damage, in the viewer museums use.

Mirador fetches the manifest and the annotation pages, which browsers refuse to ``file://``
pages: the page is opened from a web server (``python -m http.server``), and says so when it
is opened from the file system. The manifest's and pages' ids start with the address the run
was told the folder would be published at; the page reads them from wherever the folder is
served, so it works on any host and port (and under that address too).
"""
import html
import json

PAGE_STYLE = """
html, body { margin: 0; height: 100%; font-family: sans-serif; }
#mirador { position: absolute; inset: 0; }
.note { max-width: 46em; margin: 2em auto; line-height: 1.5; }
"""

# window.miradorViewer: the viewer (tests and curious users look at its store).
MIRADOR_SCRIPT = """
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('mirador-data').textContent);
  if (window.location.protocol === 'file:') {
    document.getElementById('served-page').textContent =
      'http://localhost:8000/' + window.location.pathname.split('/').pop();
    document.getElementById('file-note').hidden = false;
    return;
  }
  var here = new URL('.', window.location.href).href;
  function moved(json) {
    return data.base === here ? json :
      JSON.parse(JSON.stringify(json).split(data.base).join(here));
  }
  window.miradorViewer = Mirador.viewer({
    id: 'mirador',
    windows: [{manifestId: new URL(data.manifest, here).href}],
    window: {allowClose: false, allowMaximize: false, highlightAllAnnotations: true,
             sideBarOpen: true, defaultSideBarPanel: 'annotations'},
    workspaceControlPanel: {enabled: false},
    // A 2D canvas draws everywhere; WebGL falls back to software (and warns) on many machines.
    osdConfig: {drawer: 'canvas'},
    requests: {postprocessors: [function (url, action) {
      if (action.manifestJson) {
        action.manifestJson = moved(action.manifestJson);
      }
      if (action.annotationJson) {
        action.annotationJson = moved(action.annotationJson);
      }
      return action;
    }]}
  });
}());
"""


def mirador_page(manifest: str, script: str, base_url: str,
                 title: str = 'Damage annotations') -> str:
    """The page, as a string.

    Args:
        manifest (str): The manifest's URL relative to the page.
        script (str): The URL of ``mirador.min.js`` relative to the page.
        base_url (str): The address the page's folder was to be published at, which the
            manifest's and pages' own ids start with.
        title (str): Page title.
    """
    data = json.dumps(dict(manifest=manifest, base=base_url)).replace('</', '<\\/')
    title = html.escape(title)
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<link rel="icon" href="data:,">'  # no request for a favicon the folder lacks
            f'<title>{title}</title><style>{PAGE_STYLE}</style></head>\n<body>\n'
            '<div id="mirador"></div>\n'
            '<div id="file-note" class="note" hidden><h1>' + title + '</h1><p>Mirador reads '
            'the IIIF manifest and its annotations over HTTP, which browsers do not allow a '
            'page opened from a file. Serve this folder and open the page from there:</p>'
            '<pre>python -m http.server --directory THIS_FOLDER 8000</pre>'
            '<p>and open <code id="served-page"></code> in the browser.</p></div>\n'
            f'<script type="application/json" id="mirador-data">{data}</script>\n'
            f'<script src="{html.escape(script)}"></script>\n'
            f'<script>{MIRADOR_SCRIPT}</script>\n</body></html>\n')
