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
vec2 isf_imgCoord(vec4 rect, bool flip, vec2 n) {
  return vec2(n.x * rect.z + rect.x, (flip ? rect.w - n.y * rect.w : n.y * rect.w) + rect.y);
}
vec4 VVSAMPLER_2DBYNORM(sampler2D s, vec4 rect, vec2 size, bool flip, vec2 loc) {
  return texture(s, isf_imgCoord(rect, flip, loc));
}
void main() {
  if (PASSINDEX == 0) {
    vec4 prev = VVSAMPLER_2DBYNORM(feedback, _feedback_imgRect, _feedback_imgSize, _feedback_flip, isf_FragNormCoord);
    gl_FragColor = mix(VVSAMPLER_2DBYNORM(inputImage, _inputImage_imgRect, _inputImage_imgSize, _inputImage_flip, isf_FragNormCoord), prev, 0.9) * VVSAMPLER_2DBYNORM(grain, _grain_imgRect, _grain_imgSize, _grain_flip, isf_FragNormCoord);
  } else if (PASSINDEX == 1) {
    gl_FragColor = VVSAMPLER_2DBYNORM(feedback, _feedback_imgRect, _feedback_imgSize, _feedback_flip, isf_FragNormCoord);
  } else {
    gl_FragColor = VVSAMPLER_2DBYNORM(halfBuf, _halfBuf_imgRect, _halfBuf_imgSize, _halfBuf_flip, isf_FragNormCoord) + float(FRAMEINDEX) * TIMEDELTA * 0.0;
  }
}
