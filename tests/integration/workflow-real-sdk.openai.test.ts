import { defineWorkflowRealSdkSuite } from "./workflow-real-sdk.suite";

defineWorkflowRealSdkSuite("openai");
