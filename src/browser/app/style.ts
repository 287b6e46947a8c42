/** The page's styles (kept in the bundle so the server serves one script and a bare HTML shell). */
export const STYLE = `
:root { color-scheme: dark; --bg: #16181c; --panel: #1f2228; --line: #30343c; --text: #e4e6ea; --muted: #8b919c;
  --accent: #6aa7ff; --error: #ff6b6b; --warn: #e0b050; font: 13px/1.4 system-ui, sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); min-height: 100vh; display: flex; flex-direction: column; }
header { display: flex; gap: 12px; align-items: center; padding: 8px 12px; border-bottom: 1px solid var(--line);
  background: var(--panel); flex-wrap: wrap; }
header h1 { font-size: 14px; margin: 0; font-weight: 600; }
header .status { margin-left: auto; color: var(--muted); font-variant-numeric: tabular-nums; }
main { display: flex; flex: 1; min-height: 0; }
.stage { flex: 1; display: flex; flex-direction: column; min-width: 0; padding: 10px; gap: 8px; }
.toolbar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.toolbar .time { flex: 1; min-width: 160px; }
.toolbar output { font-variant-numeric: tabular-nums; min-width: 5em; display: inline-block; }
.view { flex: 1; display: flex; align-items: center; justify-content: center; min-height: 0;
  background: repeating-conic-gradient(#222 0 25%, #2a2a2a 0 50%) 0 0 / 16px 16px; border: 1px solid var(--line); }
.view canvas { max-width: 100%; max-height: 100%; image-rendering: pixelated; cursor: crosshair; touch-action: none; }
.view.dragging { outline: 2px dashed var(--accent); }
.messages { max-height: 35vh; overflow: auto; font: 12px/1.45 ui-monospace, monospace; }
.messages:empty { display: none; }
.messages .error { color: var(--error); white-space: pre-wrap; }
.messages .warning { color: var(--warn); white-space: pre-wrap; }
.messages .hint { color: var(--muted); padding-left: 2em; }
aside { width: 340px; border-left: 1px solid var(--line); background: var(--panel); overflow: auto; padding: 10px; }
aside h2 { font-size: 13px; margin: 0 0 4px; }
aside .description { color: var(--muted); margin: 0 0 10px; }
.control { padding: 6px 0; border-top: 1px solid var(--line); }
.control-name { display: block; color: var(--muted); margin-bottom: 3px; overflow-wrap: anywhere; }
.control-body { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.control-body input[type=range] { flex: 1; min-width: 120px; }
.control-body output { font-variant-numeric: tabular-nums; min-width: 4em; text-align: right; }
.control.dragging { outline: 2px dashed var(--accent); }
input.coord { width: 6em; }
.image-label { flex-basis: 100%; color: var(--text); }
.muted { color: var(--muted); }
button, select, input { font: inherit; color: inherit; background: #2a2e36; border: 1px solid var(--line);
  border-radius: 4px; padding: 3px 8px; }
input[type=range], input[type=checkbox], input[type=radio] { padding: 0; }
input[type=color] { padding: 0 2px; width: 44px; height: 26px; }
button:hover { border-color: var(--accent); }
`;
