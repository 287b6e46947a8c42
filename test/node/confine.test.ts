/**
 * confine.ts: files that are not regular (FIFO, /dev/zero, a folder) are typed errors at once, never a hang; the
 * confinement rule for IMPORTED and sibling .vs files is one rule for loadISF, in-process scenes and the isolated
 * child; image dimensions come from the header, so a decompression bomb is refused before decoding.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { parseISF } from '../../src/core/parse/index.ts';
import { loadAudio, loadWav } from '../../src/node/audio.ts';
import { applyInputs } from '../../src/node/batch.ts';
import { confinePath, readRegularFile } from '../../src/node/confine.ts';
import { decodeImage } from '../../src/node/images.ts';
import { IsolatedRenderer } from '../../src/node/isolate/index.ts';
import { loadISF, validateFile } from '../../src/node/load.ts';
import { nodePlatform } from '../../src/node/platform.ts';
import { Scene } from '../../src/render/scene.ts';
import { assertFasterThanAsync, assertISFError, context, pixelOf } from '../helpers.ts';

let root: string;
let shaders: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'isf-confine-'));
  shaders = join(root, 'project', 'shaders');
  mkdirSync(shaders, { recursive: true });
  mkdirSync(join(root, 'project', 'textures'));
  const png = (r: number, g: number, b: number) =>
    sharp({ create: { width: 2, height: 2, channels: 4, background: { r, g, b, alpha: 1 } } })
      .png()
      .toBuffer();
  writeFileSync(join(root, 'project', 'textures', 'green.png'), await png(0, 255, 0));
  writeFileSync(join(root, 'secret.png'), await png(255, 0, 0));
  writeFileSync(
    join(root, 'secret.vs'),
    'void main() { isf_vertShaderInit(); float SECRET_IDENTIFIER = 1.0; }\n',
  );
  execFileSync('mkfifo', [join(root, 'fifo.fs')]);
  execFileSync('mkfifo', [join(root, 'fifo.png')]);
  execFileSync('mkfifo', [join(root, 'fifo.wav')]);
});
after(() => rmSync(root, { recursive: true, force: true }));

const importing = (path: string): string =>
  `/*{ "ISFVSN": "2", "IMPORTED": { "pic": { "PATH": ${JSON.stringify(path)} } } }*/
void main() { gl_FragColor = IMG_NORM_PIXEL(pic, vec2(0.5)); }
`;

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e) => assertISFError(e, code, message));
}

/** A PNG whose IHDR claims width x height: 1-bit grey rows of zeros, deflated (a few KB for a huge image). */
function pngClaiming(width: number, height: number, rows = height): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter, no interlace
  const raw = Buffer.alloc((Math.ceil(width / 8) + 1) * rows); // filter byte 0 + zero bits per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('files that are not regular files: a typed error at once', () => {
  test('a FIFO as a shader, as an image, as audio', async () => {
    const refuseAll = async () => {
      await rejectsWith(loadISF(join(root, 'fifo.fs')), 'ISF_FILE_NOT_FOUND', /FIFO.*not a regular file/);
      const v = await validateFile(join(root, 'fifo.fs'));
      assert.equal(v.diagnostics[0]?.code, 'ISF_FILE_NOT_FOUND');
      await rejectsWith(decodeImage(join(root, 'fifo.png'), 'inputImage'), 'IO_ERROR', /FIFO/);
      await rejectsWith(loadWav(join(root, 'fifo.wav')), 'IO_ERROR', /FIFO/);
      await rejectsWith(loadAudio(join(root, 'fifo.wav')), 'IO_ERROR', /FIFO/);
    };
    await refuseAll();
    // Each would block forever on a plain open(): refused at once, the five cost less than loading five regular
    // shaders (timed here, best of three), without waiting for a writer.
    const regular = join(root, 'regular.fs');
    writeFileSync(regular, '/*{}*/\nvoid main() { gl_FragColor = vec4(1.0); }\n');
    await assertFasterThanAsync(
      refuseAll,
      async () => {
        for (let i = 0; i < 5; i++) await loadISF(regular);
      },
      3,
      'refusing the FIFOs',
    );
  });

  test('a FIFO as a video clip input is refused before ffprobe opens it', { timeout: 60_000 }, async () => {
    execFileSync('mkfifo', [join(root, 'fifo.mp4')]);
    const doc = parseISF('/*{ "INPUTS": [ { "NAME": "inputImage", "TYPE": "image" } ] }*/\nvoid main() {}\n');
    const sink = { setValue: () => undefined, setImageData: () => undefined, setCubeData: () => undefined };
    await rejectsWith(
      applyInputs(sink, doc, { width: 4, height: 4, images: { inputImage: join(root, 'fifo.mp4') } }),
      'IO_ERROR',
      /video file for "inputImage".*FIFO/,
    );
  });

  test('/dev/zero as an image, a folder, a missing file, a path through a file', async () => {
    await rejectsWith(decodeImage('/dev/zero', 'inputImage'), 'IO_ERROR', /character device/);
    await rejectsWith(decodeImage(root, 'inputImage'), 'IO_ERROR', /a directory/);
    await rejectsWith(decodeImage(join(root, 'none.png'), 'inputImage'), 'IO_ERROR', /no such file/);
    await rejectsWith(
      decodeImage(join(root, 'secret.png', 'x.png'), 'inputImage'),
      'IO_ERROR',
      /not a directory/,
    );
    await rejectsWith(loadISF(root), 'ISF_FILE_NOT_FOUND', /a directory/);
  });

  test('over the size limit: refused before reading, also when the stat says less (/proc)', async () => {
    await rejectsWith(
      readRegularFile(join(root, 'secret.vs'), { maxBytes: 10, what: 'test file' }),
      'LIMIT_EXCEEDED',
      /\d+ bytes, more than the limit of 10 bytes/,
    );
    // /proc files report size 0: the read itself stops at the limit.
    await rejectsWith(
      readRegularFile('/proc/self/maps', { maxBytes: 10, what: 'test file' }),
      'LIMIT_EXCEEDED',
      /more than the limit of 10 bytes/,
    );
  });
});

describe('image dimensions from the header, before decoding', () => {
  test('a 30000x30000 PNG is LIMIT_EXCEEDED, not IMAGE_DECODE', async () => {
    const file = join(root, 'huge.png');
    writeFileSync(file, pngClaiming(30000, 30000, 1)); // truncated data: only the header is valid
    await rejectsWith(decodeImage(file, 'inputImage'), 'LIMIT_EXCEEDED', /30000x30000.*16384x16384/);
  });

  test('a decompression bomb (16000x16000 in a few KB) is refused under a lower limit without decoding', async () => {
    const bomb = pngClaiming(16000, 16000);
    assert.ok(bomb.length < 200_000, `the bomb is ${bomb.length} bytes`);
    const rss0 = process.memoryUsage().rss;
    await rejectsWith(decodeImage(bomb, 'inputImage', { maxSide: 8192 }), 'LIMIT_EXCEEDED', /16000x16000/);
    // Decoding would allocate 16000*16000*4 = 1 GiB; reading the header allocates nothing close.
    assert.ok(process.memoryUsage().rss - rss0 < 256 * 1024 * 1024, 'the pixels were never allocated');
  });
});

describe('one confinement rule for IMPORTED and the sibling .vs', () => {
  test('an IMPORTED symlink out of the folder: refused by an in-process Scene too (no loadISF)', async () => {
    symlinkSync(join(root, 'secret.png'), join(shaders, 'linked.png'));
    const path = join(shaders, 'linked.fs');
    writeFileSync(path, importing('linked.png'));
    const scene = new Scene(context(), { platform: nodePlatform });
    try {
      await rejectsWith(
        scene.useDoc(parseISF(importing('linked.png'), { path })),
        'ISF_IMPORTED_PATH',
        /refused/,
      );
    } finally {
      scene.destroy();
    }
    await rejectsWith(loadISF(path), 'ISF_IMPORTED_PATH', /linked\.png/);
  });

  test('a sibling .vs linked out of the folder is refused before it is read (strict and isolated)', async () => {
    const path = join(shaders, 'vert.fs');
    writeFileSync(path, '/*{ "ISFVSN": "2" }*/\nvoid main() { gl_FragColor = vec4(1.0); }\n');
    symlinkSync(join(root, 'secret.vs'), join(shaders, 'vert.vs'));
    let message = '';
    await assert.rejects(loadISF(path), (e) => {
      assertISFError(e, 'ISF_IMPORTED_PATH', /vertex shader.*refused/);
      message = (e as Error).message;
      return true;
    });
    assert.doesNotMatch(message, /SECRET_IDENTIFIER/);
    const renderer = new IsolatedRenderer({ timeoutMs: 20_000 });
    try {
      await assert.rejects(renderer.render({ path, width: 4, height: 4 }), (e) => {
        assertISFError(e, 'ISF_IMPORTED_PATH');
        assert.doesNotMatch((e as Error).message, /SECRET_IDENTIFIER/);
        return true;
      });
    } finally {
      await renderer.close();
    }
    // Inside the trusted tree (importRoot) the same link is allowed, with a warning.
    const doc = await loadISF(path, { importRoot: root });
    assert.match(doc.vertexSource ?? '', /SECRET_IDENTIFIER/);
    assert.ok(doc.warnings.some((w) => w.code === 'W_IMPORT_OUTSIDE_FOLDER'));
  });

  test('../ inside the trusted tree: allowed with a located warning, renders; refused without the root', async () => {
    const path = join(shaders, 'climb.fs');
    writeFileSync(path, importing('../textures/green.png'));
    await rejectsWith(loadISF(path), 'ISF_IMPORTED_PATH', /\.\.\/textures\/green\.png/);
    const doc = await loadISF(path, { importRoot: join(root, 'project') });
    const warning = doc.warnings.find((w) => w.code === 'W_IMPORT_OUTSIDE_FOLDER');
    assert.ok(warning, 'warned');
    assert.equal(warning.line, 1);
    assert.equal(warning.file, path);
    const scene = new Scene(context(), { platform: nodePlatform });
    try {
      await scene.useDoc(doc);
      assert.deepEqual(pixelOf(scene.render({ width: 2, height: 2 }), 0, 0), [0, 255, 0, 255]);
    } finally {
      scene.destroy();
    }
    // Climbing above the trusted tree is refused like any escape.
    writeFileSync(path, importing('../../secret.png'));
    await rejectsWith(loadISF(path, { importRoot: join(root, 'project') }), 'ISF_IMPORTED_PATH');
  });

  test('confinePath: the function #include and serve share', async () => {
    const c = { folder: shaders };
    assert.equal(
      await confinePath(join(shaders, 'missing.glsl'), c, { label: 'x', written: 'x' }),
      undefined,
    );
    await rejectsWith(
      confinePath(join(root, 'secret.png'), c, { label: '#include "a.glsl"', written: '../../secret.png' }),
      'ISF_IMPORTED_PATH',
      /#include "a\.glsl": \.\.\/\.\.\/secret\.png resolves to .*secret\.png, outside the shader's folder/,
    );
    const wide = await confinePath(
      join(root, 'secret.png'),
      { folder: shaders, root },
      { label: 'x', written: 'x' },
    );
    assert.equal(wide?.outsideFolder, true);
  });
});
