"""Requests from individuals (開示等の請求等, 法32–39条): a register with deadlines and evidence."""
