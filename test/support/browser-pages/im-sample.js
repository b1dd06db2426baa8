/*
 * A RongIMLib Web 2.x app written the way RongCloud's 2.x docs write one: init → listeners →
 * connect → sendMessage / onReceived, through the global `RongIMLib` and nothing else. The same
 * file runs, unchanged, on the official SDK (sample-official.html) and on Lianxin's UMD and ESM
 * builds (sample-umd.html, sample-esm.html); only the <script> that provides `RongIMLib` differs.
 *
 * Deployment values a real app would hard-code (app key, private-cloud navi, the user's token) come
 * from the query string. The `app` object only records what the callbacks reported, so the
 * browser tests can read it; it never calls the SDK on the tests' behalf except `sendText`.
 */
(function () {
  const params = new URLSearchParams(location.search);
  const appKey = params.get('appKey');
  const token = params.get('token');
  const options = {
    navi: params.get('navi'), // 私有部署配置
  };
  // Optional: 'comet' makes the SDK long-poll over HTTP instead of opening a WebSocket.
  if (params.get('connectionType')) options.connectionType = params.get('connectionType');

  const app = (window.app = {
    statuses: [],
    received: [],
    userId: null,
    connectFailure: null,
    sendText: null,
  });

  RongIMLib.RongIMClient.init(appKey, null, options);
  const RongIMClient = RongIMLib.RongIMClient;

  /* 连接状态监听器 */
  RongIMClient.setConnectionStatusListener({
    onChanged: function (status) {
      app.statuses.push(status);
      switch (status) {
        case RongIMLib.ConnectionStatus.CONNECTED:
          console.log('连接成功');
          break;
        case RongIMLib.ConnectionStatus.CONNECTING:
          console.log('正在连接');
          break;
        case RongIMLib.ConnectionStatus.DISCONNECTED:
          console.log('断开连接');
          break;
        case RongIMLib.ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT:
          console.log('其他设备登录, 本端被踢');
          break;
        case RongIMLib.ConnectionStatus.NETWORK_UNAVAILABLE:
          console.log('网络不可用');
          break;
        default:
          console.log('链接状态为', status);
          break;
      }
    },
  });

  /* 消息监听器 */
  RongIMClient.setOnReceiveMessageListener({
    onReceived: function (message) {
      console.log('收到消息', message.messageType, message.senderUserId);
      app.received.push({
        conversationType: message.conversationType,
        targetId: message.targetId,
        senderUserId: message.senderUserId,
        messageType: message.messageType,
        objectName: message.objectName,
        content: { content: message.content && message.content.content, extra: message.content && message.content.extra },
        messageDirection: message.messageDirection,
        messageUId: message.messageUId,
        sentTime: message.sentTime,
      });
    },
  });

  RongIMClient.connect(token, {
    onSuccess: function (userId) {
      console.log('连接成功, 用户 ID 为', userId);
      app.userId = userId;
    },
    onTokenIncorrect: function () {
      console.log('连接失败, 失败原因: token 无效');
      app.connectFailure = 'token incorrect';
    },
    onError: function (errorCode) {
      console.log('连接失败, 失败原因: ', errorCode);
      app.connectFailure = 'error ' + errorCode;
    },
  });

  /* 发送消息 */
  app.sendText = function (targetId, text) {
    return new Promise(function (resolve, reject) {
      const msg = new RongIMLib.TextMessage({ content: text, extra: '附加信息' });
      const conversationType = RongIMLib.ConversationType.PRIVATE; // 单聊
      RongIMClient.getInstance().sendMessage(conversationType, targetId, msg, {
        onSuccess: function (message) {
          console.log('发送成功');
          resolve({ messageUId: message.messageUId, sentTime: message.sentTime, senderUserId: message.senderUserId, targetId: message.targetId });
        },
        onError: function (errorCode) {
          console.log('发送失败', errorCode);
          reject(new Error('sendMessage failed: ' + errorCode));
        },
      });
    });
  };
})();
