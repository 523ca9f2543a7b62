"""The reliability suite: the fault matrix, the fuzzer, the crash loop and the soak (issue 14)."""
