using System.Security.Cryptography;
using System.Text;

namespace DrsNotify.Server.Identity.AccessKeys;

/// <summary>
/// AES-256-GCM encryption of secret keys at rest, under a key derived from the server key.
/// </summary>
/// <remarks>
/// The stored form is <c>v1.</c> followed by base64 of nonce (12 bytes), ciphertext and tag
/// (16 bytes). The access key is the associated data, so a ciphertext copied onto another row
/// fails to decrypt. SKs are encrypted and not hashed because verifying an HMAC needs the SK itself.
/// </remarks>
public sealed class SecretKeyProtector
{
    private const string FormatPrefix = "v1.";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[] _key;

    public SecretKeyProtector(ServerKey serverKey) => _key = serverKey.Derive("secret-key-encryption");

    /// <summary>Encrypts <paramref name="secretKey"/> for the row of <paramref name="accessKey"/>.</summary>
    public string Protect(string accessKey, string secretKey)
    {
        var plaintext = Encoding.UTF8.GetBytes(secretKey);
        var sealedBytes = new byte[NonceBytes + plaintext.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);

        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(
            nonce, plaintext, sealedBytes.AsSpan(NonceBytes, plaintext.Length),
            sealedBytes.AsSpan(NonceBytes + plaintext.Length), Encoding.UTF8.GetBytes(accessKey));
        CryptographicOperations.ZeroMemory(plaintext);
        return FormatPrefix + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>
    /// Decrypts a stored secret key into its UTF-8 bytes. Throws <see cref="CryptographicException"/>
    /// when the value was not encrypted for <paramref name="accessKey"/> under this server key.
    /// </summary>
    public byte[] Unprotect(string accessKey, string stored)
    {
        if (!stored.StartsWith(FormatPrefix, StringComparison.Ordinal))
        {
            throw new CryptographicException($"The stored secret key of access key {accessKey} has an unknown format.");
        }

        var sealedBytes = Convert.FromBase64String(stored[FormatPrefix.Length..]);
        if (sealedBytes.Length < NonceBytes + TagBytes)
        {
            throw new CryptographicException($"The stored secret key of access key {accessKey} is truncated.");
        }

        var plaintextLength = sealedBytes.Length - NonceBytes - TagBytes;
        var plaintext = new byte[plaintextLength];
        using var aes = new AesGcm(_key, TagBytes);
        aes.Decrypt(
            sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, plaintextLength),
            sealedBytes.AsSpan(NonceBytes + plaintextLength), plaintext, Encoding.UTF8.GetBytes(accessKey));
        return plaintext;
    }
}
