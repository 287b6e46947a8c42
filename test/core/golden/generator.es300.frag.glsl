#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
precision highp samplerCube;
out vec4 isf_FragColor;
#define gl_FragColor isf_FragColor
in vec2 isf_FragNormCoord;
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
vec2 isf_user_round(vec2 a0) { return round(a0); }
vec3 isf_user_round(vec3 a0) { return round(a0); }
vec4 isf_user_round(vec4 a0) { return round(a0); }

float isf_user_round(float x) { return floor(x + 0.5); }
float phase ;

void main() { phase = TIME * speed;
  vec2 p = isf_FragNormCoord * 2.0 - 1.0;
  float r = isf_user_round(length(p) * float(rings)) / float(rings);
  vec4 col = show ? tint : vec4(0.0);
  gl_FragColor = col * (0.5 + 0.5 * sin(r * 20.0 - phase + DATE.w)) + vec4(center, 0.0, 0.0) * 0.0;
}
