#version 100
precision highp float;
precision highp int;
precision highp sampler2D;
precision highp samplerCube;
attribute vec2 VERTEXDATA;
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
void isf_vertShaderInit();
void main() {
  isf_vertShaderInit();
  gl_Position.y *= 1.0 - 2.0 * isf_FlipY.x;
}
void isf_vertShaderInit() {
  gl_Position = vec4(VERTEXDATA, 0.0, 1.0);
  isf_FragNormCoord = (VERTEXDATA + 1.0) * 0.5;
}
