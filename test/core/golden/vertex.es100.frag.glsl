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
uniform sampler2D inputImage;
uniform vec4 _inputImage_imgRect;
uniform vec2 _inputImage_imgSize;
uniform bool _inputImage_flip;
uniform samplerCube sky;
uniform vec2 _sky_imgSize;
uniform vec2 offset;
#if __VERSION__ <= 120
varying vec2 shifted;
#else
in vec2 shifted;
#endif
void main() {
  gl_FragColor = texture2D(inputImage, shifted) + textureCube(sky, vec3(shifted, 1.0));
}
