/**
 * The gallery's HTML: one card per shader (thumbnail, name, kind, description, inputs; for a failure its error
 * code, message and line). Everything a shader's metadata says is untrusted text: every value is escaped for
 * HTML, and URLs are built by the caller from paths it chose, then escaped as attribute values.
 */
import type { ShaderInfo } from './isolate/protocol.ts';

/**
 * What a card shows of a shader. Defined here, not in thumbnails.ts (whose ThumbnailEntry extends it with the
 * manifest's own fields), so that this page depends on nothing that builds it.
 */
export interface GalleryEntry {
  /** The shader's path relative to the folder, with forward slashes. */
  path: string;
  /** The file's name without extension (the document's own NAME is in `info`). */
  name: string;
  kind: string | null;
  info?: ShaderInfo;
  /** The PNG, relative to the thumbnails folder. */
  thumbnail?: string;
  /** The animated WebP, relative to the thumbnails folder. */
  animated?: string;
  width?: number;
  height?: number;
  error?: { code: string; message: string; line?: number };
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface GalleryLinks {
  /** Where a card's thumbnail links to (the shader's live page, or the file). */
  shaderHref(entry: GalleryEntry): string;
  /** The URL of a thumbnail file (`entry.thumbnail` / `entry.animated`, relative to the thumbnails folder). */
  imageSrc(file: string): string;
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #181818; color: #e8e8e8; }
header { padding: 12px 16px; border-bottom: 1px solid #333; }
h1 { font-size: 18px; margin: 0; }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 12px; padding: 16px; }
.card { background: #222; border: 1px solid #333; border-radius: 6px; overflow: hidden; }
.card.failed { border-color: #a33; }
.card img { display: block; width: 100%; height: auto; background: #000; }
.card .body { padding: 8px 10px; }
.card h2 { font-size: 15px; margin: 0 0 4px; word-break: break-word; }
.kind { font-size: 12px; color: #9ab; margin-left: 6px; font-weight: normal; }
.path { font-size: 12px; color: #888; word-break: break-all; }
.description { margin: 6px 0; }
.inputs { font-size: 12px; color: #bbb; margin: 4px 0 0; padding-left: 16px; }
.error { background: #3a1c1c; color: #fbb; padding: 6px 8px; font-size: 12px; white-space: pre-wrap; word-break: break-word; }
.error code { color: #fdd; font-weight: bold; }
.missing { display: flex; align-items: center; justify-content: center; aspect-ratio: 16 / 9; background: #2a1616; color: #f88; }
`;

function card(entry: GalleryEntry, links: GalleryLinks): string {
  const info = entry.info;
  const name = escapeHtml(info?.name || entry.name);
  const href = escapeHtml(links.shaderHref(entry));
  const image = entry.animated ?? entry.thumbnail;
  const picture = image
    ? `<a href="${href}"><img src="${escapeHtml(links.imageSrc(image))}" alt="${name}" loading="lazy"${entry.width ? ` width="${entry.width}" height="${entry.height}"` : ''}></a>`
    : `<a href="${href}" class="missing">no thumbnail</a>`;
  const kind = entry.kind ? `<span class="kind">${escapeHtml(entry.kind)}</span>` : '';
  const description = info?.description ? `<p class="description">${escapeHtml(info.description)}</p>` : '';
  const credit = info?.credit ? `<div class="path">by ${escapeHtml(info.credit)}</div>` : '';
  const inputs = info?.inputs.length
    ? `<ul class="inputs">${info.inputs.map((i) => `<li>${escapeHtml(i.name)}: ${escapeHtml(i.type)}</li>`).join('')}</ul>`
    : '';
  const error = entry.error
    ? `<div class="error"><code>${escapeHtml(entry.error.code)}</code>${entry.error.line !== undefined ? ` line ${entry.error.line}` : ''}: ${escapeHtml(entry.error.message)}</div>`
    : '';
  return `<article class="card${entry.error ? ' failed' : ''}" data-path="${escapeHtml(entry.path)}">${picture}${error}<div class="body"><h2>${name}${kind}</h2><div class="path">${escapeHtml(entry.path)}</div>${credit}${description}${inputs}</div></article>`;
}

/** The whole page: a grid of cards, failures among them where they fall in the list. */
export function galleryHtml(title: string, entries: readonly GalleryEntry[], links: GalleryLinks): string {
  const failed = entries.filter((e) => e.error).length;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><div class="path">${entries.length} shader(s)${failed ? `, ${failed} failed` : ''}</div></header>
<main>
${entries.map((e) => card(e, links)).join('\n')}
</main>
</body>
</html>
`;
}
