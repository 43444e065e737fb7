// Highlights ```stack code blocks in the book: a highlight.js language
// definition for .stack, in the colours of the TextMate grammar's scopes.
(function () {
  'use strict';
  if (typeof hljs === 'undefined') {
    return;
  }
  hljs.registerLanguage('stack', function (hljs) {
    return {
      name: 'stack',
      keywords: {
        $pattern: /[A-Za-z][\w-]*/,
        keyword: 'stack zone server group domain allow',
        literal: 'primary replica firewall track unicast read active-active active-passive manual auto',
        type: 'A AAAA CNAME',
      },
      contains: [
        hljs.HASH_COMMENT_MODE,
        hljs.QUOTE_STRING_MODE,
        { className: 'number', begin: /\b\d{1,3}(?:\.\d{1,3}){3}\b/ },
        { className: 'number', begin: /\b[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}\b/ },
        { className: 'attr', begin: /\b[a-z]+(?==)/ },
        // Protocols, after the `:` of a link or record (`-> TARGETS : PROTO`).
        { className: 'meta', begin: /(?<=->[^:;{}\n]*:\s*)(?:http|https|mysql|postgres|redis|memcached|amqp|tcp)\b/ },
        // Roles, after `server NAME:` or `group NAME:` and between `+`.
        { className: 'built_in', begin: /(?<=(?::|\+)\s*)(?:haproxy|nginx|app|memcached|redis|rabbitmq|mysql|postgres|external)\b/ },
        { className: 'operator', begin: /->/ },
      ],
    };
  });
  var blocks = document.querySelectorAll('code.language-stack');
  for (var i = 0; i < blocks.length; i++) {
    var block = blocks[i];
    block.textContent = block.textContent;
    hljs.highlightBlock(block);
    block.classList.add('stack-highlighted');
  }
})();
