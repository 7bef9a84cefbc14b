declare module 'ali-oss' {
  interface PostSignature {
    OSSAccessKeyId: string;
    Signature: string;
    policy: string;
  }
  class OSS {
    constructor(options: { accessKeyId: string; accessKeySecret: string; bucket?: string; region?: string });
    calculatePostSignature(policy: object | string): PostSignature;
  }
  export default OSS;
}
