#version 100
precision highp float;
precision highp int;
precision highp sampler2D;
precision highp samplerCube;
varying vec2 isf_FragNormCoord;
uniform int PASSINDEX;
uniform vec2 RENDERSIZE;
uniform float TIME;
uniform float TIMEDELTA;
uniform vec4 DATE;
uniform int FRAMEINDEX;
uniform vec2 isf_FlipY;
uniform float speed;
uniform int rings;
uniform bool show;
uniform vec4 tint;
uniform vec2 center;
uniform bool flash;

float round(float x) { return floor(x + 0.5); }
float phase ;

void main() { phase = TIME * speed;
  vec2 p = isf_FragNormCoord * 2.0 - 1.0;
  float r = round(length(p) * float(rings)) / float(rings);
  vec4 col = show ? tint : vec4(0.0);
  gl_FragColor = col * (0.5 + 0.5 * sin(r * 20.0 - phase + DATE.w)) + vec4(center, 0.0, 0.0) * 0.0;
}
