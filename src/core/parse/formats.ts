/**
 * Files that are not ISF, recognised so the error says what the file is and what it would need instead of a
 * confusing JSON or GLSL error: Shadertoy (mainImage), GLSL Sandbox (time/resolution uniforms), a bare vertex
 * shader, and MadMapper materials (an ISF-like header but no main(), a materialColorForPixel() function).
 */

/** Comments blanked out (same length), so patterns only see code. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => m.replace(/[^\n]/g, ' '));
}

export interface ForeignFormat {
  /** What the file is and what it would need, as one message. */
  message: string;
  /** Offset of the code that gave it away. */
  offset: number;
}

const MAIN = /\bvoid\s+main\s*\(/;

/** For a file without the ISF JSON comment. */
export function recogniseHeaderless(source: string): ForeignFormat | undefined {
  const c = code(source);
  const mainImage = /\bvoid\s+mainImage\s*\(/.exec(c);
  if (mainImage !== null) {
    return {
      message:
        'This is a Shadertoy shader (it defines mainImage), not an ISF file: ISF needs a /*{ "ISFVSN": "2", "INPUTS": [...] }*/ JSON header and a main() that writes gl_FragColor; iTime becomes TIME, iResolution RENDERSIZE, fragCoord gl_FragCoord.xy, iChannel0 an image input',
      offset: mainImage.index,
    };
  }
  const sandbox = /\buniform\s+(?:highp\s+|mediump\s+)?(?:float\s+time|vec2\s+resolution)\s*;/.exec(c);
  if (sandbox !== null && MAIN.test(c)) {
    return {
      message:
        'This is a GLSL Sandbox shader (uniforms time / resolution), not an ISF file: ISF needs a /*{ "ISFVSN": "2" }*/ JSON header first; drop the time/resolution/mouse uniforms and use TIME, RENDERSIZE and a point2D input instead',
      offset: sandbox.index,
    };
  }
  const position = /\bgl_Position\s*=/.exec(c);
  if (position !== null && !/\bgl_FragColor\b|\bout\s+(?:highp\s+|mediump\s+|lowp\s+)?vec4\b/.test(c)) {
    return {
      message:
        'This is a vertex shader (it writes gl_Position), not an ISF fragment shader: ISF renders a .fs with a /*{ JSON }*/ header; a vertex shader goes next to it as a .vs of the same name and calls isf_vertShaderInit()',
      offset: position.index,
    };
  }
  return undefined;
}

/** For a file whose JSON parsed: the GLSL body of a MadMapper material or a Shadertoy shader under an ISF header. */
export function recogniseBody(body: string, bodyStart: number): ForeignFormat | undefined {
  // Cheap first: most bodies mention neither, and blanking the comments of a large body costs time.
  if (!body.includes('materialColorForPixel') && !body.includes('mainImage')) return undefined;
  const c = code(body);
  if (MAIN.test(c)) return undefined;
  const material = /\b(?:vec4\s+)?materialColorForPixel\s*\(/.exec(c);
  if (material !== null) {
    return {
      message:
        "This is a MadMapper material (it defines materialColorForPixel() and no main()), not an ISF shader: it needs MadMapper's own material runtime and includes; as ISF it would need a main() that writes gl_FragColor = materialColorForPixel(isf_FragNormCoord)",
      offset: bodyStart + material.index,
    };
  }
  const mainImage = /\bvoid\s+mainImage\s*\(/.exec(c);
  if (mainImage !== null) {
    return {
      message:
        'This shader defines a Shadertoy mainImage() but no main(): ISF calls main(), which must write gl_FragColor (e.g. void main() { mainImage(gl_FragColor, gl_FragCoord.xy); })',
      offset: bodyStart + mainImage.index,
    };
  }
  return undefined;
}
