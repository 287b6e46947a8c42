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
uniform sampler2D grain;
uniform vec4 _grain_imgRect;
uniform vec2 _grain_imgSize;
uniform bool _grain_flip;
uniform sampler2D feedback;
uniform vec4 _feedback_imgRect;
uniform vec2 _feedback_imgSize;
uniform bool _feedback_flip;
uniform sampler2D halfBuf;
uniform vec4 _halfBuf_imgRect;
uniform vec2 _halfBuf_imgSize;
uniform bool _halfBuf_flip;
void isf_vertShaderInit();
void main() {
  isf_vertShaderInit();
  gl_Position.y *= 1.0 - 2.0 * isf_FlipY.x;
}
void isf_vertShaderInit() {
  gl_Position = vec4(VERTEXDATA, 0.0, 1.0);
  isf_FragNormCoord = (VERTEXDATA + 1.0) * 0.5;
}
