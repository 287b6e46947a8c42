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
uniform sampler2D mask;
uniform vec4 _mask_imgRect;
uniform vec2 _mask_imgSize;
uniform bool _mask_flip;
uniform sampler2D wave;
uniform vec4 _wave_imgRect;
uniform vec2 _wave_imgSize;
uniform bool _wave_flip;
uniform sampler2D spectrum;
uniform vec4 _spectrum_imgRect;
uniform vec2 _spectrum_imgSize;
uniform bool _spectrum_flip;
uniform float amount;
void isf_vertShaderInit();
void main() {
  isf_vertShaderInit();
  gl_Position.y *= 1.0 - 2.0 * isf_FlipY.x;
}
void isf_vertShaderInit() {
  gl_Position = vec4(VERTEXDATA, 0.0, 1.0);
  isf_FragNormCoord = (VERTEXDATA + 1.0) * 0.5;
}
