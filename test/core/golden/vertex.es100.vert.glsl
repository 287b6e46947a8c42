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
uniform sampler2D inputImage;
uniform vec4 _inputImage_imgRect;
uniform vec2 _inputImage_imgSize;
uniform bool _inputImage_flip;
uniform samplerCube sky;
uniform vec2 _sky_imgSize;
uniform vec2 offset;
vec2 isf_imgCoord(vec4 rect, bool flip, vec2 n) {
  return vec2(n.x * rect.z + rect.x, (flip ? rect.w - n.y * rect.w : n.y * rect.w) + rect.y);
}
vec4 VVSAMPLER_2DBYNORM(sampler2D s, vec4 rect, vec2 size, bool flip, vec2 loc, float bias) {
  return texture2DLod(s, isf_imgCoord(rect, flip, loc), bias);
}
void isf_vertShaderInit();
#if __VERSION__ <= 120
varying vec2 shifted;
#else
out vec2 shifted;
#endif
void isf_userMain() {
  isf_vertShaderInit();
  vec4 level = VVSAMPLER_2DBYNORM(inputImage, _inputImage_imgRect, _inputImage_imgSize, _inputImage_flip, vec2(0.5), 4.0);
  shifted = isf_FragNormCoord + offset / (_inputImage_imgSize) + level.xy * 0.0;
}
void main() {
  isf_userMain();
  gl_Position.y *= 1.0 - 2.0 * isf_FlipY.x;
}
void isf_vertShaderInit() {
  gl_Position = vec4(VERTEXDATA, 0.0, 1.0);
  isf_FragNormCoord = (VERTEXDATA + 1.0) * 0.5;
}
