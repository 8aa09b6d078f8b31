using DrsNotify.Server;
using DrsNotify.Server.Admin;

// "projects", "users", "keys" and "tokens" run an administration command on the store;
// anything else starts the web server.
if (AdminCommands.IsAdminCommand(args))
{
    return await AdminCommands.RunAsync(args, Console.Out, Console.Error);
}

return await ServerApp.RunAsync(args, Console.Error);
