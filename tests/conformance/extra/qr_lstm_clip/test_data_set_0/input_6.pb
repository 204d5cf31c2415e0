B	initial_cJ0!Ñ¾
b?kg‡½ÀQØ¾Ù€¾@?¿[E ¿ÏCª¿ÙÞÀ?OAÉ¾–i–>dd`¿