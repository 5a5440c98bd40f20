namespace Warren.Analyzers.Rules;

/// <summary>Whether a binding pattern can match a publish key whose <c>*</c> words stand for placeholder values.</summary>
internal static class TopicMatching
{
    public static bool Overlaps(string binding, string key) =>
        Match(binding.Length == 0 ? [] : binding.Split('.'), 0, key.Length == 0 ? [] : key.Split('.'), 0);

    private static bool Match(string[] pattern, int p, string[] key, int k)
    {
        if (p == pattern.Length)
        {
            return k == key.Length;
        }

        if (pattern[p] == "#")
        {
            for (var skip = k; skip <= key.Length; skip++)
            {
                if (Match(pattern, p + 1, key, skip))
                {
                    return true;
                }
            }

            return false;
        }

        return k < key.Length && (pattern[p] == "*" || key[k] == "*" || pattern[p] == key[k]) && Match(pattern, p + 1, key, k + 1);
    }
}
