using DrsNotify.Server;

var app = await ServerApp.CreateAsync(args);
await app.RunAsync();
